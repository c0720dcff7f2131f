"""SLA reminders and escalations reaching the chats, counted in working hours."""

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from emulator import BotApiEmulator
from handlers.context import GridApplication
from models.tables import OutboxMessage, ReminderClaim
from services.onboarding import load_viewer
from services.questions import texts
from services.questions.filing import file_question
from services.questions.sla import SlaReport, sla_sweep
from tests.conftest import SmallCity
from tests.handlers.chat import bind
from tests.handlers.questions.scenario import (
    DEPUTY,
    INSTRUCTOR,
    MEMBER,
    UNKNOWN_QUESTION,
    add_other_staff,
    message_with,
    questions_viewer,
    shanghai,
)

pytestmark = pytest.mark.usefixtures("bot_app")


async def test_sla_reminds_after_24_and_escalates_after_72_working_hours(
    emulator: BotApiEmulator,
    small_city: SmallCity,
    sessions: async_sessionmaker[AsyncSession],
    bot_app: GridApplication,
) -> None:
    await add_other_staff(sessions, small_city)
    await bind(emulator, small_city, "member", MEMBER)
    await bind(emulator, small_city, "instructor", INSTRUCTOR)
    await bind(emulator, small_city, "deputy", DEPUTY)
    settings = bot_app.bot_data.settings
    filed_at = shanghai("2025-11-14T10:00")  # a Friday
    async with sessions() as session:
        viewer = await load_viewer(session=session, telegram_user_id=MEMBER)
        assert viewer is not None
        filed = await file_question(
            session=session, viewer=viewer, text=UNKNOWN_QUESTION, now=filed_at
        )
        await session.commit()
    question_id = filed.question.id
    assert question_id is not None

    async def sweep(moment: str) -> SlaReport:
        async with sessions() as session:
            report = await sla_sweep(session=session, now=shanghai(moment), settings=settings)
            await session.commit()
        bot_app.bot_data.outbox.wake()
        return report

    # Sunday noon: 50 hours have passed but only 14 working hours (Friday's rest).
    assert await sweep("2025-11-16T12:00") == SlaReport()
    mark = emulator.checkpoint()
    assert await sweep("2025-11-17T10:30") == SlaReport(reminded=[question_id])
    assert await sweep("2025-11-17T11:00") == SlaReport()
    reminder = await message_with(emulator, INSTRUCTOR, f"提醒：问题 #{question_id}", after=mark)
    assert "24 个工作小时" in (reminder.text or "")
    assert [b["text"] for b in reminder.buttons] == [texts.QUESTION_REPLY, texts.QUESTION_TRANSFER]
    # Wednesday 09:00 is 71 working hours; 10:30 is past 72.
    assert await sweep("2025-11-19T09:00") == SlaReport()
    mark = emulator.checkpoint()
    assert await sweep("2025-11-19T10:30") == SlaReport(escalated=[question_id])
    assert await sweep("2025-11-20T10:30") == SlaReport()
    escalated = await message_with(emulator, DEPUTY, f"超时未回复：问题 #{question_id}", after=mark)
    assert "当前负责：李指导员" in (escalated.text or "")
    async with sessions() as session:
        claims = (await session.exec(select(ReminderClaim).order_by(col(ReminderClaim.id)))).all()
        sent = (
            await session.exec(
                select(OutboxMessage).where(OutboxMessage.ref == f"question:{question_id}")
            )
        ).all()
    assert [(c.duty, c.target, c.step) for c in claims] == [
        ("question_sla", f"question:{question_id}", "remind"),
        ("question_sla", f"question:{question_id}", f"escalate:{small_city.person_id('deputy')}"),
    ]
    assert {c.period for c in claims} == {filed_at.isoformat()}
    # Filing, one reminder, one escalation: nothing twice.
    assert len(sent) == 3


async def test_sla_counts_a_holiday_as_no_working_time(
    emulator: BotApiEmulator,
    small_city: SmallCity,
    sessions: async_sessionmaker[AsyncSession],
    bot_app: GridApplication,
) -> None:
    await bind(emulator, small_city, "instructor", INSTRUCTOR)
    settings = bot_app.bot_data.settings
    async with sessions() as session:
        viewer = await questions_viewer(session, small_city, "member")
        filed = await file_question(
            session=session, viewer=viewer, text=UNKNOWN_QUESTION, now=shanghai("2025-09-30T10:00")
        )
        await session.commit()
        # Sunday 5 October, in the middle of 国庆: five days later, 14 working hours.
        quiet = await sla_sweep(
            session=session, now=shanghai("2025-10-05T12:00"), settings=settings
        )
        due = await sla_sweep(session=session, now=shanghai("2025-10-09T10:30"), settings=settings)
        await session.commit()
    assert quiet == SlaReport()
    assert due == SlaReport(reminded=[filed.question.id or 0])
