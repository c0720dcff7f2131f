"""The SLA sweep's edge cases on a real database."""

from datetime import timedelta

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.settings import load_settings
from models.enums import ReminderStatus
from models.tables import OutboxMessage, ReminderClaim
from services.questions.filing import file_question
from services.questions.replies import record_answer, record_followup
from services.questions.sla import SlaReport, sla_sweep
from tests.conftest import SmallCity
from tests.services.questions.roster import FILED, bind, viewer


async def test_a_question_first_seen_past_escalation_is_escalated_only(
    session: AsyncSession, small_city: SmallCity
) -> None:
    await bind(session, small_city, "instructor", 9002)
    await bind(session, small_city, "town_head", 9003)
    member = await viewer(session, small_city, "member")
    filed = await file_question(session=session, viewer=member, text="问", now=FILED)
    settings = load_settings()
    later = FILED + timedelta(days=14)
    report = await sla_sweep(session=session, now=later, settings=settings)
    # No 分管负责人 in 虹桥镇: the 二级网格长 hears of it, without answer buttons.
    assert report == SlaReport(escalated=[filed.question.id or 0])
    claims = {c.step: c.status for c in (await session.exec(select(ReminderClaim))).all()}
    # One escalation claim per leader told.
    assert claims == {
        "remind": ReminderStatus.SKIPPED,
        f"escalate:{small_city.person_id('town_head')}": ReminderStatus.QUEUED,
    }
    escalation = (
        await session.exec(select(OutboxMessage).where(OutboxMessage.chat_id == 9003))
    ).one()
    assert escalation.reply_markup is None
    assert await sla_sweep(session=session, now=later, settings=settings) == (SlaReport())


async def test_a_follow_up_restarts_the_sla_clock(
    session: AsyncSession, small_city: SmallCity
) -> None:
    await bind(session, small_city, "instructor", 9002)
    await bind(session, small_city, "member", 9004)
    settings = load_settings()
    member = await viewer(session, small_city, "member")
    instructor = await viewer(session, small_city, "instructor")
    filed = await file_question(session=session, viewer=member, text="问", now=FILED)
    question_id = filed.question.id or 0
    monday = FILED + timedelta(days=3, hours=1)
    assert (await sla_sweep(session=session, now=monday, settings=settings)).reminded
    await record_answer(
        session=session, viewer=instructor, question_id=question_id, body="答", now=monday
    )
    followed = monday + timedelta(hours=1)
    await record_followup(
        session=session, viewer=member, question_id=question_id, body="追问", now=followed
    )
    # A new wait, a new period: reminded again a working day later.
    report = await sla_sweep(
        session=session, now=followed + timedelta(days=1, minutes=1), settings=settings
    )
    assert report.reminded == [question_id]
    periods = {c.period for c in (await session.exec(select(ReminderClaim))).all()}
    assert periods == {FILED.isoformat(), followed.isoformat()}
