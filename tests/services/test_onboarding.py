"""Invitations, rebinding and the invitation sheet, on the real database."""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.buttons import deep_link
from models.enums import Role
from models.tables import Assignment, Invite, Person, SurveyObject, TelegramBinding
from services.invite_export import HEADERS, export_invites, write_invites
from services.onboarding import (
    TOKEN_PATTERN,
    BindOutcome,
    RebindError,
    hash_token,
    issue_invites,
    load_viewer,
    new_token,
    parse_token,
    rebind,
    redeem_invite,
)
from tests.conftest import SmallCity

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
TTL = timedelta(days=30)


def test_tokens_are_long_random_and_url_safe() -> None:
    tokens = {new_token() for _ in range(1000)}
    assert len(tokens) == 1000
    assert all(TOKEN_PATTERN.fullmatch(t) for t in tokens)
    # 32 URL-safe base64 characters carry 192 bits; Telegram allows 64 characters.
    assert all(len(t) == 32 for t in tokens)
    assert deep_link("@gridbot_bot", "abc") == "https://t.me/gridbot_bot?start=abc"


# Payloads as they reach /start: any Unicode, and the URL-safe alphabet the tokens are made of.
_URL_SAFE = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_PAYLOAD_CHARS = st.characters(codec="utf-8") | st.sampled_from(list(_URL_SAFE + "=+/ \n"))
# Mostly about a token's length, where a wrong character matters most.
_PAYLOADS = st.text(_PAYLOAD_CHARS, min_size=30, max_size=34) | st.text(_PAYLOAD_CHARS)


@settings(max_examples=200)
@given(_PAYLOADS)
@example("x" * 32 + "\n")  # `$` matches before a trailing newline; fullmatch must not
@example("Ａ" * 32)
@example("x" * 10_000)
def test_any_payload_is_a_token_or_none(text: str) -> None:
    token = parse_token(text)
    assert token is None or (token == text and len(token) == 32 and token.isascii())
    if token is not None:
        assert len(hash_token(token)) == 64


@settings(max_examples=50)
@given(st.integers(0, 31), st.sampled_from([*_URL_SAFE, "", "é", "=", " "]))
def test_a_fresh_token_parses_and_a_changed_one_stays_well_formed_or_is_refused(
    at: int, replacement: str
) -> None:
    token = new_token()
    assert parse_token(token) == token
    changed = token[:at] + replacement + token[at + 1 :]
    assert (parse_token(changed) is not None) == (replacement in _URL_SAFE and replacement != "")


async def test_a_token_changed_in_one_character_binds_no_one(
    sessions: async_sessionmaker[AsyncSession], small_city: SmallCity
) -> None:
    token = small_city.tokens["member"]
    mutations = {
        token[:i] + replacement + token[i + 1 :]
        for i, char in enumerate(token)
        for replacement in (_URL_SAFE[(_URL_SAFE.index(char) + 1) % len(_URL_SAFE)], "", "é")
    } | {token + "A", token.upper(), token.lower(), f" {token}", f"{token}\n"}
    mutations.discard(token)
    async with sessions() as session, session.begin():
        outcomes = {
            (
                await redeem_invite(session=session, token=mutated, telegram_user_id=701, now=NOW)
            ).outcome
            for mutated in sorted(mutations)
        }
    assert outcomes == {BindOutcome.MALFORMED, BindOutcome.UNKNOWN}
    await bind(sessions, token, 701)


async def test_expiry_is_exact(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session, session.begin():
        person = Person(name="张三", mobile="13800000001")
        session.add(person)
        await session.flush()
        [invite] = await issue_invites(session=session, persons=[person], ttl=TTL, now=NOW)
    async with sessions() as session:
        late = await redeem_invite(
            session=session, token=invite.token, telegram_user_id=1, now=NOW + TTL
        )
        assert late.outcome == BindOutcome.EXPIRED
        await session.rollback()
        in_time = await redeem_invite(
            session=session,
            token=invite.token,
            telegram_user_id=1,
            now=NOW + TTL - timedelta(seconds=1),
        )
        assert in_time.outcome == BindOutcome.BOUND


async def bind(sessions: async_sessionmaker[AsyncSession], token: str, telegram_id: int) -> None:
    async with sessions() as session, session.begin():
        result = await redeem_invite(
            session=session, token=token, telegram_user_id=telegram_id, now=NOW
        )
        assert result.outcome == BindOutcome.BOUND


async def test_rebind_same_person_ends_binding_and_issues_fresh_link(
    sessions: async_sessionmaker[AsyncSession], small_city: SmallCity
) -> None:
    await bind(sessions, small_city.tokens["member"], 501)
    async with sessions() as session, session.begin():
        result = await rebind(
            session=session, mobile="13812345678", new_name=None, new_mobile=None, ttl=TTL, now=NOW
        )
    assert result.ended_telegram_user_id == 501
    assert result.new.id == result.old.id
    async with sessions() as session:
        assert await load_viewer(session=session, telegram_user_id=501) is None
    # The new phone binds with the fresh link; the history keeps both bindings.
    await bind(sessions, result.invite.token, 502)
    async with sessions() as session:
        viewer = await load_viewer(session=session, telegram_user_id=502)
        assert viewer is not None
        assert viewer.name == "陈统计"
        history = (
            await session.exec(select(TelegramBinding).order_by(col(TelegramBinding.id)))
        ).all()
        assert [(b.telegram_user_id, b.ended_at is None) for b in history] == [
            (501, False),
            (502, True),
        ]


async def test_rebind_to_replacement_moves_enterprises_and_roles_keeps_history(
    sessions: async_sessionmaker[AsyncSession], small_city: SmallCity
) -> None:
    await bind(sessions, small_city.tokens["grid_head"], 601)
    async with sessions() as session, session.begin():
        result = await rebind(
            session=session,
            mobile="13900000004",
            new_name="赵接任",
            new_mobile="13700000000",
            ttl=TTL,
            now=NOW,
        )
    assert result.moved_assignments == 1
    assert result.moved_enterprises == 0
    async with sessions() as session:
        old = await session.get(Person, small_city.person_id("grid_head"))
        assert old is not None
        assert old.active is False
        assignments = (
            await session.exec(select(Assignment).where(Assignment.role == Role.GRID_HEAD))
        ).all()
        by_person = {a.person_id: a for a in assignments}
        assert by_person[small_city.person_id("grid_head")].ended_at == NOW
        assert by_person[result.new.id].ended_at is None  # type: ignore[index]
        # The old account no longer speaks for anyone; the old person's link is revoked.
        assert await load_viewer(session=session, telegram_user_id=601) is None
        old_invites = (
            await session.exec(
                select(Invite).where(Invite.person_id == small_city.person_id("grid_head"))
            )
        ).all()
        assert all(i.used_at is not None or i.revoked_at is not None for i in old_invites)
    await bind(sessions, result.invite.token, 602)
    async with sessions() as session:
        viewer = await load_viewer(session=session, telegram_user_id=602)
        assert viewer is not None
        assert Role.GRID_HEAD in viewer.roles


@pytest.mark.usefixtures("small_city")
async def test_rebind_statistician_moves_enterprises(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session, session.begin():
        result = await rebind(
            session=session,
            mobile="13812345678",
            new_name="新统计",
            new_mobile="13700000001",
            ttl=TTL,
            now=NOW,
        )
    assert result.moved_enterprises == 2
    async with sessions() as session:
        kept = (
            await session.exec(
                select(SurveyObject).where(SurveyObject.statistician_id == result.new.id)
            )
        ).all()
        assert sorted(o.name for o in kept) == ["乐清市虹桥开关厂", "乐清市虹桥电气有限公司"]


@pytest.mark.parametrize(
    ("mobile", "new_name", "new_mobile", "message"),
    [
        ("13000000000", None, None, "没有手机号为"),
        ("13812345678", "新人", None, "同时提供"),
        ("13812345678", "别名", "13900000004", "已登记为「王网格长」"),
        ("13812345678", "陈统计", "13812345678", "同一人"),
    ],
)
async def test_rebind_errors_change_nothing(
    sessions: async_sessionmaker[AsyncSession],
    small_city: SmallCity,
    mobile: str,
    new_name: str | None,
    new_mobile: str | None,
    message: str,
) -> None:
    await bind(sessions, small_city.tokens["member"], 701)
    with pytest.raises(RebindError, match=message):
        async with sessions() as session, session.begin():
            await rebind(
                session=session,
                mobile=mobile,
                new_name=new_name,
                new_mobile=new_mobile,
                ttl=TTL,
                now=NOW,
            )
    async with sessions() as session:
        assert await load_viewer(session=session, telegram_user_id=701) is not None


async def test_export_skips_bound_people_and_revokes_old_links(
    sessions: async_sessionmaker[AsyncSession], small_city: SmallCity, tmp_path: Path
) -> None:
    await bind(sessions, small_city.tokens["member"], 801)
    async with sessions() as session, session.begin():
        rows = await export_invites(session=session, bot_username="gridbot_bot", ttl=TTL, now=NOW)
    names = [r.name for r in rows]
    assert "陈统计" not in names
    assert len(rows) == len(small_city.people) - 1
    head = next(r for r in rows if r.name == "王网格长")
    assert head.roles == "网格长"
    assert head.grids == "虹桥镇·工业网格1"
    assert head.link.startswith("https://t.me/gridbot_bot?start=")
    # The fixture's earlier links for these people no longer work.
    async with sessions() as session:
        old = await redeem_invite(
            session=session, token=small_city.tokens["grid_head"], telegram_user_id=9, now=NOW
        )
        assert old.outcome == BindOutcome.REVOKED
        token = head.link.rsplit("=", 1)[1]
        stored = (
            await session.exec(select(Invite).where(Invite.token_hash == hash_token(token)))
        ).one()
        assert stored.expires_at == NOW + TTL

    target = write_invites(rows, tmp_path / "invites.xlsx", ZoneInfo("Asia/Shanghai"))
    sheet = openpyxl.load_workbook(target).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == HEADERS
    assert len(values) == len(rows) + 1
    assert sheet.freeze_panes == "A2"
    exported = next(v for v in values if v[0] == "王网格长")
    assert exported[1] == "13900000004"
    assert exported[5] == "2026-12-27 17:00"  # 30 days later, in Beijing time
