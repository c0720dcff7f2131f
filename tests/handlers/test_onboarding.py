"""Onboarding through the real bot: deep links, every kind of bad token, menus, unbound users."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from emulator import BotApiEmulator
from models.tables import Invite, TelegramBinding
from services.onboarding import hash_token, rebind
from tests.conftest import SmallCity
from tests.handlers.chat import bind, command

MEMBER_TG = 5001
OTHER_TG = 5002
MEMBER_MENU = [
    "start",
    "help",
    "me",
    "checkin",
    "activities",
    "ask",
    "study",
    "settings",
    "todo",
    "mystats",
    "faq",
    "law",
    "tip",
]
# MEMBER_MENU[:8] ends with /settings; staff commands of later modules (/duties) follow.
# MEMBER_MENU[8:10] is /todo and /mystats: leaders get /export and /stats between them, and
# the city level /departments, then /chase, after them. /report is the level-3 网格长's alone.
# Town leaders, instructors and admins review unmatched phone numbers (/unmatched); admins
# alone read the audit trail (/audit) and run /person, /handover, /poster and /evaluate.
LEADER_TAIL = [*MEMBER_MENU[8:9], "export", "stats", *MEMBER_MENU[9:10], "unmatched", "chase"]
LEADER_TAIL += MEMBER_MENU[10:]
CITY_TAIL = [*MEMBER_MENU[8:9], "export", "stats", *MEMBER_MENU[9:10], "departments"]
CITY_TAIL += [
    "unmatched",
    "audit",
    "person",
    "handover",
    "poster",
    "evaluate",
    "funding",
    "deptset",
    "chase",
    *MEMBER_MENU[10:],
]
TOWN_HEAD_MENU = [*MEMBER_MENU[:8], "duties", *LEADER_TAIL, "grid"]
INSTRUCTOR_MENU = [
    *MEMBER_MENU[:5],
    "activity",
    "ask",
    "questions",
    "notice",
    "notices",
    *MEMBER_MENU[6:8],
    "duties",
    *LEADER_TAIL,
    "grid",
]
ADMIN_MENU = [
    *MEMBER_MENU[:6],
    "faqreview",
    "notice",
    "notices",
    *MEMBER_MENU[6:8],
    "duties",
    *CITY_TAIL,
    "grid",
]

pytestmark = pytest.mark.usefixtures("bot_app")


async def bindings(sessions: async_sessionmaker[AsyncSession]) -> list[tuple[int, int, bool]]:
    async with sessions() as session:
        rows = await session.exec(select(TelegramBinding).order_by(col(TelegramBinding.id)))
        return [(b.person_id, b.telegram_user_id, b.ended_at is None) for b in rows.all()]


def menu(emulator: BotApiEmulator, chat_id: int) -> list[str]:
    return [c["command"] for c in emulator.commands({"type": "chat", "chat_id": chat_id})]


async def test_good_token_binds_and_greets_with_grid_role_and_commands(
    emulator: BotApiEmulator,
    small_city: SmallCity,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    emulator.user(MEMBER_TG, first_name="陈")
    await emulator.send_text(MEMBER_TG, f"/start {small_city.tokens['member']}")
    reply = await emulator.wait_for_message(MEMBER_TG)
    assert "绑定成功" in reply.text
    assert "陈统计" in reply.text
    assert "网格员 · 虹桥镇·工业网格1" in reply.text
    assert "/me" in reply.text
    assert "/grid" not in reply.text  # members do not browse grids
    assert await bindings(sessions) == [(small_city.person_id("member"), MEMBER_TG, True)]
    async with sessions() as session:
        invite = (
            await session.exec(
                select(Invite).where(Invite.token_hash == hash_token(small_city.tokens["member"]))
            )
        ).one()
    assert invite.used_by_telegram_id == MEMBER_TG
    assert invite.used_at is not None
    # The token itself is never stored.
    assert invite.token_hash != small_city.tokens["member"]
    assert menu(emulator, MEMBER_TG) == MEMBER_MENU


async def test_following_own_link_again_is_harmless(
    emulator: BotApiEmulator,
    small_city: SmallCity,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    emulator.user(MEMBER_TG, first_name="陈")
    for _ in range(2):
        await emulator.send_text(MEMBER_TG, f"/start {small_city.tokens['member']}")
    second = await emulator.wait_for_message(MEMBER_TG, lambda m: "无需重复绑定" in m.text)
    assert "陈统计" in second.text
    assert len(await bindings(sessions)) == 1


async def test_bad_tokens_get_clear_messages_and_change_nothing(
    emulator: BotApiEmulator,
    small_city: SmallCity,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    now = datetime.now(UTC)
    async with sessions() as session, session.begin():
        expired = await session.exec(
            select(Invite).where(Invite.token_hash == hash_token(small_city.tokens["grid_head"]))
        )
        row = expired.one()
        row.expires_at = now - timedelta(minutes=1)
        revoked = await session.exec(
            select(Invite).where(Invite.token_hash == hash_token(small_city.tokens["instructor"]))
        )
        revoked_row = revoked.one()
        revoked_row.revoked_at = now
    # The member binds first so that the member's token is "used" for everyone else.
    await bind(emulator, small_city, "member", MEMBER_TG)
    before = await bindings(sessions)

    emulator.user(OTHER_TG, first_name="路人")
    cases = [
        ("abc", "格式有误"),
        ("x" * 32, "没有找到"),
        ("<script>alert(1)</script>", "格式有误"),
        (small_city.tokens["member"], "已经使用过"),
        (small_city.tokens["grid_head"], "已过期"),
        (small_city.tokens["instructor"], "已作废"),
    ]
    for token, expected in cases:
        await emulator.send_text(OTHER_TG, f"/start {token}")
        reply = await emulator.wait_for_message(OTHER_TG, lambda m, e=expected: e in m.text)
        assert "绑定成功" not in reply.text
    assert await bindings(sessions) == before
    # An unbound user's chat keeps the default menu only.
    assert menu(emulator, OTHER_TG) == []


async def test_bound_account_cannot_take_another_persons_seat(
    emulator: BotApiEmulator,
    small_city: SmallCity,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await bind(emulator, small_city, "member", MEMBER_TG)
    await emulator.send_text(MEMBER_TG, f"/start {small_city.tokens['town_head']}")
    reply = await emulator.wait_for_message(MEMBER_TG, lambda m: "不能再绑定" in m.text)
    assert "陈统计" in reply.text
    assert "虹桥镇长" in reply.text
    assert await bindings(sessions) == [(small_city.person_id("member"), MEMBER_TG, True)]
    async with sessions() as session:
        unused = await session.exec(
            select(Invite).where(Invite.token_hash == hash_token(small_city.tokens["town_head"]))
        )
        assert unused.one().used_at is None


async def test_person_already_bound_elsewhere_is_refused(
    emulator: BotApiEmulator,
    small_city: SmallCity,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await bind(emulator, small_city, "member", MEMBER_TG)
    # A second, still valid link for the same person (e.g. exported twice without revoking).
    second_token = "S" * 32
    async with sessions() as session, session.begin():
        session.add(
            Invite(
                person_id=small_city.person_id("member"),
                token_hash=hash_token(second_token),
                expires_at=datetime.now(UTC) + timedelta(days=1),
            )
        )
    emulator.user(OTHER_TG, first_name="冒名")
    await emulator.send_text(OTHER_TG, f"/start {second_token}")
    await emulator.wait_for_message(OTHER_TG, lambda m: "已绑定了另一个" in m.text)
    assert await bindings(sessions) == [(small_city.person_id("member"), MEMBER_TG, True)]


async def test_unbound_user_gets_onboarding_instructions_only(
    emulator: BotApiEmulator, small_city: SmallCity
) -> None:
    del small_city
    emulator.user(OTHER_TG, first_name="路人")
    await emulator.send_text(OTHER_TG, "/start")
    first = await emulator.wait_for_message(OTHER_TG)
    assert "还没有绑定身份" in first.text
    await emulator.send_text(OTHER_TG, "/me")
    refused = await emulator.wait_for_message(OTHER_TG, lambda m: "请先完成身份绑定" in m.text)
    assert "陈统计" not in refused.text
    await emulator.send_text(OTHER_TG, "你好")
    await emulator.wait_for_message(
        OTHER_TG, lambda m: m.message_id > refused.message_id and "个人邀请链接" in m.text
    )
    # The default menu (what an unbound user sees) holds only the open commands.
    assert [c["command"] for c in emulator.commands(None)] == ["start", "help"]


async def test_role_specific_menus(emulator: BotApiEmulator, small_city: SmallCity) -> None:
    expected = {
        "member": MEMBER_MENU,
        "instructor": INSTRUCTOR_MENU,
        "town_head": TOWN_HEAD_MENU,
        "admin": ADMIN_MENU,
    }
    for number, key in enumerate(expected, start=1):
        user_id = 6000 + number
        emulator.user(user_id, first_name=key)
        await emulator.send_text(user_id, f"/start {small_city.tokens[key]}")
        await emulator.wait_for_message(user_id, lambda m: "绑定成功" in m.text)
        assert menu(emulator, user_id) == expected[key]


async def test_concurrent_redemptions_of_one_token_bind_once(
    emulator: BotApiEmulator,
    small_city: SmallCity,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    token = small_city.tokens["member"]
    for user_id in (7001, 7002, 7003):
        emulator.user(user_id, first_name=f"u{user_id}")
        await emulator.send_text(user_id, f"/start {token}")
    for user_id in (7001, 7002, 7003):
        await emulator.wait_for_message(user_id)
    live = [b for b in await bindings(sessions) if b[2]]
    assert len(live) == 1
    async with sessions() as session:
        count = await session.exec(sa.select(sa.func.count()).select_from(TelegramBinding))
        assert count.one()[0] == 1


async def test_ended_binding_loses_role_menu_and_commands(
    emulator: BotApiEmulator,
    small_city: SmallCity,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await bind(emulator, small_city, "instructor", MEMBER_TG)
    assert "grid" in menu(emulator, MEMBER_TG)
    async with sessions() as session, session.begin():
        await rebind(
            session=session,
            mobile="13900000005",
            new_name=None,
            new_mobile=None,
            ttl=timedelta(days=30),
            now=datetime.now(UTC),
        )
    refused = await command(emulator, MEMBER_TG, "/grid")
    assert "请先完成身份绑定" in (refused.text or "")
    assert menu(emulator, MEMBER_TG) == []
