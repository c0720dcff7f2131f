"""Manual and automatic reminders of unread notices."""

from datetime import timedelta

from sqlmodel import col, select

from models.db import transaction
from models.enums import ReminderStatus
from models.tables import (
    NoticeRecipient,
    OutboxMessage,
    ReminderClaim,
    TelegramBinding,
)
from services.notices.panel import followed_notice
from services.notices.receipts import confirm_receipt
from services.notices.reminders import REMINDER_KIND, RemindResult, auto_remind_sweep, remind_unread
from tests.conftest import SmallCity
from tests.services.notices.bound_city import (
    CHATS,
    NOW,
    SETTINGS,
    Sessions,
    grid_draft,
    send,
    viewer,
)


async def test_manual_reminders_skip_the_confirmed_and_wait_their_interval(
    sessions: Sessions, city: SmallCity
) -> None:
    notice_id = await send(sessions, city, "instructor", grid_draft(city))
    async with transaction(sessions) as session:
        await confirm_receipt(
            session=session, notice_id=notice_id, person_id=city.person_id("member"), now=NOW
        )
    results = []
    for minutes in (5, 30, 65, 66):
        async with transaction(sessions) as session:
            notice = await followed_notice(
                session=session,
                viewer=await viewer(session, city, "instructor"),
                notice_id=notice_id,
            )
            assert notice is not None
            results.append(
                await remind_unread(
                    session=session,
                    notice=notice,
                    now=NOW + timedelta(minutes=minutes),
                    settings=SETTINGS,
                )
            )
    assert results == [
        RemindResult(1),
        RemindResult(0, NOW + timedelta(minutes=65)),
        RemindResult(1),
        RemindResult(0, NOW + timedelta(minutes=125)),
    ]
    async with sessions() as session:
        reminders = (
            await session.exec(select(OutboxMessage).where(OutboxMessage.kind == REMINDER_KIND))
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
                await auto_remind_sweep(
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
