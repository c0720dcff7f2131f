"""[提醒未签到]: once, after the end."""

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.db import transaction
from models.tables import OutboxMessage, ReminderClaim
from services.activities.codes import current_code
from services.activities.reminders import RemindOutcome, RemindResult, remind_absentees
from tests.conftest import SmallCity
from tests.services.activities.support import (
    NOW,
    PERIOD,
    TZ,
    bind_accounts,
    code_check_in,
    ongoing,
    publish,
    viewer_of,
)


async def test_absentees_are_reminded_once_after_the_end(
    sessions: async_sessionmaker[AsyncSession], small_city: SmallCity
) -> None:
    await bind_accounts(sessions, small_city)
    activity = await publish(sessions, small_city, **ongoing())
    assert activity.id is not None
    code = current_code(activity, now=NOW, period_s=PERIOD).code
    await code_check_in(sessions, small_city, "instructor", code)

    async def remind(when: datetime) -> RemindResult:
        async with transaction(sessions) as session:
            return await remind_absentees(
                session=session,
                viewer=await viewer_of(session, small_city, "grid_head"),
                activity_id=activity.id or 0,
                now=when,
                tz=TZ,
            )

    assert (await remind(NOW)).outcome == RemindOutcome.NOT_ENDED
    after = activity.ends_at + timedelta(minutes=5)
    first = await remind(after)
    assert (first.outcome, first.absent, first.queued) == (RemindOutcome.QUEUED, 1, 1)
    assert (await remind(after + timedelta(minutes=1))).outcome == RemindOutcome.ALREADY
    async with sessions() as session:
        reminders = (
            await session.exec(
                select(OutboxMessage).where(col(OutboxMessage.text).contains("未签到"))
            )
        ).all()
        claims = (await session.exec(select(ReminderClaim))).all()
    assert [m.person_id for m in reminders] == [small_city.person_id("member")]
    assert [(c.duty, c.target) for c in claims] == [("activity_absent", f"activity:{activity.id}")]
