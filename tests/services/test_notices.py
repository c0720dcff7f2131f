"""Notice rules on a real database: audiences by scope and role, sending in one transaction,
receipts, delivery counts, manual and automatic reminders, and the to-do lines."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.settings import load_settings
from models.db import transaction
from models.enums import OutboxStatus, ReminderStatus, Role
from models.tables import (
    Assignment,
    NoticeRecipient,
    OutboxMessage,
    ReminderClaim,
    TelegramBinding,
)
from services import notices
from services.access import Viewer
from services.onboarding import viewers_for
from tests.conftest import SmallCity

Sessions = async_sessionmaker[AsyncSession]
NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
TZ = ZoneInfo("Asia/Shanghai")
SETTINGS = load_settings()
CHATS = {"member": 7001, "grid_head": 7002, "other_member": 7003, "instructor": 7004}


@pytest.fixture
async def city(sessions: Sessions, small_city: SmallCity) -> SmallCity:
    """The small city with everybody but the town heads and the admin bound."""
    async with transaction(sessions) as session:
        for key, chat_id in CHATS.items():
            session.add(
                TelegramBinding(person_id=small_city.person_id(key), telegram_user_id=chat_id)
            )
    return small_city


async def viewer(session: AsyncSession, city: SmallCity, key: str) -> Viewer:
    person = city.people[key]
    return (await viewers_for(session=session, persons=[person]))[city.person_id(key)]


def grid_draft(city: SmallCity, audience: notices.Audience = notices.Audience.ALL) -> notices.Draft:
    return notices.Draft(
        text="请于5日前报送月报",
        scope_kind=notices.ScopeKind.GRID,
        scope_id=city.grids["虹桥镇网格"].id,
        audience=audience,
    )


async def send(sessions: Sessions, city: SmallCity, key: str, draft: notices.Draft) -> int:
    async with transaction(sessions) as session:
        sender = await viewer(session, city, key)
        notice = await notices.send_notice(
            session=session, viewer=sender, sender_name=sender.name, draft=draft, now=NOW
        )
    assert notice.id is not None
    return notice.id


async def test_audiences_follow_scope_and_role(sessions: Sessions, city: SmallCity) -> None:
    async with sessions() as session:
        instructor = await viewer(session, city, "instructor")
        admin = await viewer(session, city, "admin")
        hq_grid = city.grids["虹桥镇网格"].id or 0
        hq_town = city.grids["虹桥镇"].id or 0

        async def names(
            who: Viewer, kind: notices.ScopeKind, grid_id: int, audience: notices.Audience
        ) -> set[int]:
            scope = await notices.allowed_scope(
                session=session, viewer=who, kind=kind, grid_id=grid_id
            )
            assert scope is not None
            found = await notices.reach(session=session, viewer=who, scope=scope, audience=audience)
            return set(found.person_ids)

        ids = city.person_id
        grid = notices.ScopeKind.GRID
        assert await names(instructor, grid, hq_grid, notices.Audience.ALL) == {
            ids("member"),
            ids("grid_head"),
        }
        assert await names(instructor, grid, hq_grid, notices.Audience.MEMBERS) == {ids("member")}
        assert await names(instructor, grid, hq_grid, notices.Audience.GRID_HEADS) == {
            ids("grid_head")
        }
        assert await names(instructor, grid, hq_grid, notices.Audience.INSTRUCTORS) == set()
        town = notices.ScopeKind.TOWN
        assert await names(admin, town, hq_town, notices.Audience.ALL) == {
            ids("member"),
            ids("grid_head"),
            ids("instructor"),
            ids("town_head"),
        }
        assert await names(admin, notices.ScopeKind.CITY, 0, notices.Audience.MEMBERS) == {
            ids("member"),
            ids("other_member"),
        }
        everybody = await names(admin, notices.ScopeKind.CITY, 0, notices.Audience.ALL)
        assert everybody == {p.id for k, p in city.people.items() if k != "admin"}
        # An instructor may address only their own grid.
        assert (
            await notices.allowed_scope(
                session=session, viewer=instructor, kind=town, grid_id=hq_town
            )
            is None
        )
        assert (
            await notices.allowed_scope(
                session=session, viewer=instructor, kind=notices.ScopeKind.CITY, grid_id=0
            )
            is None
        )
        member = await viewer(session, city, "member")
        assert await notices.target_scopes(session=session, viewer=member) == []


async def test_sending_stores_the_notice_recipients_and_outbox_copies_in_one_go(
    sessions: Sessions, city: SmallCity
) -> None:
    async with transaction(sessions) as session:
        session.add(
            Assignment(
                person_id=city.person_id("town_head"),
                grid_id=city.grids["虹桥镇"].id or 0,
                role=Role.TOWN_DEPUTY,
            )
        )
    draft = notices.Draft(
        text="附件请查收",
        media_kind="document",
        media_file_id="FILE1",
        scope_kind=notices.ScopeKind.TOWN,
        scope_id=city.grids["虹桥镇"].id,
        audience=notices.Audience.ALL,
    )
    notice_id = await send(sessions, city, "town_head", draft)
    async with sessions() as session:
        copies = (
            await session.exec(
                select(NoticeRecipient).where(NoticeRecipient.notice_id == notice_id)
            )
        ).all()
        rows = (await session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id)))).all()
    by_person = {c.person_id: c.chat_id for c in copies}
    assert by_person == {
        city.person_id("member"): CHATS["member"],
        city.person_id("grid_head"): CHATS["grid_head"],
        city.person_id("instructor"): CHATS["instructor"],
    }
    assert len(rows) == 3
    for row in rows:
        assert (row.kind, row.ref, row.media_kind, row.media_file_id) == (
            "notice",
            f"notice:{notice_id}",
            "document",
            "FILE1",
        )
        assert row.dedupe_key == f"notice:{notice_id}:{row.chat_id}"
        assert row.reply_markup == notices.receipt_markup(notice_id)
        assert "附件请查收" in row.text


async def test_a_forged_or_empty_target_sends_nothing(sessions: Sessions, city: SmallCity) -> None:
    forged = notices.Draft(
        text="越权",
        scope_kind=notices.ScopeKind.TOWN,
        scope_id=city.grids["柳市镇"].id,
        audience=notices.Audience.ALL,
    )
    with pytest.raises(notices.NoticeError):
        await send(sessions, city, "instructor", forged)
    with pytest.raises(notices.NoticeError):
        await send(sessions, city, "instructor", grid_draft(city, notices.Audience.INSTRUCTORS))
    async with sessions() as session:
        assert (await session.exec(select(OutboxMessage))).all() == []
        assert (await session.exec(select(NoticeRecipient))).all() == []


async def test_receipts_are_personal_and_idempotent(sessions: Sessions, city: SmallCity) -> None:
    notice_id = await send(sessions, city, "instructor", grid_draft(city))
    member, other = city.person_id("member"), city.person_id("other_member")
    async with transaction(sessions) as session:
        first = await notices.confirm_receipt(
            session=session, notice_id=notice_id, person_id=member, now=NOW
        )
        again = await notices.confirm_receipt(
            session=session, notice_id=notice_id, person_id=member, now=NOW + timedelta(hours=1)
        )
        stranger = await notices.confirm_receipt(
            session=session, notice_id=notice_id, person_id=other, now=NOW
        )
    assert first == notices.Receipt(notices.ReceiptOutcome.CONFIRMED, NOW)
    assert again == notices.Receipt(notices.ReceiptOutcome.ALREADY, NOW)
    assert stranger.outcome == notices.ReceiptOutcome.NOT_RECIPIENT


async def test_counts_come_from_recipients_and_their_outbox_rows(
    sessions: Sessions, city: SmallCity
) -> None:
    # The admin writes to the whole city: 6 people, the two town heads unbound.
    draft = notices.Draft(
        text="全市通知",
        scope_kind=notices.ScopeKind.CITY,
        scope_id=0,
        audience=notices.Audience.ALL,
    )
    notice_id = await send(sessions, city, "admin", draft)
    outcome = {
        CHATS["member"]: (OutboxStatus.SENT, None),
        CHATS["grid_head"]: (OutboxStatus.FAILED, "Forbidden: bot was blocked by the user"),
        CHATS["other_member"]: (OutboxStatus.FAILED, "Bad Request: chat not found"),
    }
    async with transaction(sessions) as session:
        for row in (await session.exec(select(OutboxMessage))).all():
            if row.chat_id in outcome:
                row.status, row.error = outcome[row.chat_id]
                session.add(row)
        await notices.confirm_receipt(
            session=session, notice_id=notice_id, person_id=city.person_id("member"), now=NOW
        )
    async with sessions() as session:
        (status,) = await notices.recent_notices(session=session, sender_id=city.person_id("admin"))
    assert status.counts() == {
        "total": 6,
        "read": 1,
        "sent": 1,
        "blocked": 1,
        "failed": 1,
        "pending": 1,
        "unbound": 2,
    }
    assert [name for name, _d in status.unread] == sorted(
        p.name for k, p in city.people.items() if k not in ("admin", "member")
    )


async def test_manual_reminders_skip_the_confirmed_and_wait_their_interval(
    sessions: Sessions, city: SmallCity
) -> None:
    notice_id = await send(sessions, city, "instructor", grid_draft(city))
    async with transaction(sessions) as session:
        await notices.confirm_receipt(
            session=session, notice_id=notice_id, person_id=city.person_id("member"), now=NOW
        )
    results = []
    for minutes in (5, 30, 65, 66):
        async with transaction(sessions) as session:
            notice = await notices.followed_notice(
                session=session,
                viewer=await viewer(session, city, "instructor"),
                notice_id=notice_id,
            )
            assert notice is not None
            results.append(
                await notices.remind_unread(
                    session=session,
                    notice=notice,
                    now=NOW + timedelta(minutes=minutes),
                    settings=SETTINGS,
                )
            )
    assert results == [
        notices.RemindResult(1),
        notices.RemindResult(0, NOW + timedelta(minutes=65)),
        notices.RemindResult(1),
        notices.RemindResult(0, NOW + timedelta(minutes=125)),
    ]
    async with sessions() as session:
        reminders = (
            await session.exec(
                select(OutboxMessage).where(OutboxMessage.kind == notices.REMINDER_KIND)
            )
        ).all()
        head = (
            await session.exec(
                select(NoticeRecipient).where(
                    NoticeRecipient.person_id == city.person_id("grid_head")
                )
            )
        ).one()
    assert {r.chat_id for r in reminders} == {CHATS["grid_head"]}
    assert len(reminders) == 2
    assert head.reminders == 2


async def test_the_automatic_reminder_is_claimed_once_per_person(
    sessions: Sessions, city: SmallCity
) -> None:
    # The grid head is unbound here: claimed as skipped, never reminded.
    async with transaction(sessions) as session:
        binding = (
            await session.exec(
                select(TelegramBinding).where(
                    TelegramBinding.telegram_user_id == CHATS["grid_head"]
                )
            )
        ).one()
        binding.ended_at = NOW - timedelta(days=1)
        session.add(binding)
    notice_id = await send(sessions, city, "instructor", grid_draft(city))
    queued = []
    for hours in (1, 24, 25, 100):
        async with transaction(sessions) as session:
            queued.append(
                await notices.auto_remind_sweep(
                    session=session, now=NOW + timedelta(hours=hours), settings=SETTINGS
                )
            )
    assert queued == [0, 1, 0, 0]
    async with sessions() as session:
        claims = (
            await session.exec(select(ReminderClaim).order_by(col(ReminderClaim.target)))
        ).all()
    assert [(c.duty, c.target, c.step, c.status) for c in claims] == sorted(
        [
            (
                "notice_unread",
                f"notice:{notice_id}:person:{city.person_id('member')}",
                "auto",
                ReminderStatus.QUEUED,
            ),
            (
                "notice_unread",
                f"notice:{notice_id}:person:{city.person_id('grid_head')}",
                "auto",
                ReminderStatus.SKIPPED,
            ),
        ],
        key=lambda c: c[1],
    )


async def test_todo_lists_unconfirmed_notices_oldest_first(
    sessions: Sessions, city: SmallCity
) -> None:
    first = await send(sessions, city, "instructor", grid_draft(city))
    await send(
        sessions,
        city,
        "instructor",
        notices.Draft(**{**grid_draft(city).__dict__, "text": "第二条"}),
    )
    async with transaction(sessions) as session:
        member = await viewer(session, city, "member")
        items = await notices.todo_items(session=session, viewer=member, now=NOW, tz=TZ)
        assert [i.section for i in items] == ["待确认通知", "待确认通知"]
        assert "请于5日前报送月报" in items[0].text
        assert "第二条" in items[1].text
        await notices.confirm_receipt(
            session=session, notice_id=first, person_id=member.person_id, now=NOW
        )
        (left,) = await notices.todo_items(session=session, viewer=member, now=NOW, tz=TZ)
    assert "第二条" in left.text
