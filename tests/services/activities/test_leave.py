"""Recording leave, the panel that shows it, and a late arrival."""

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from models.db import transaction
from models.enums import AttendanceStatus
from services.activities.checkin import CheckinOutcome as Outcome
from services.activities.leave import LeaveOutcome, record_leave
from services.activities.panel import panel
from tests.conftest import SmallCity
from tests.services.activities.support import (
    NOW,
    PERIOD,
    code_check_in,
    ongoing,
    publish,
    viewer_of,
)


async def test_panel_leave_and_late_arrival(
    sessions: async_sessionmaker[AsyncSession], small_city: SmallCity
) -> None:
    activity = await publish(sessions, small_city, **ongoing())
    assert activity.id is not None
    async with transaction(sessions) as session:
        head = await viewer_of(session, small_city, "grid_head")
        recorded = await record_leave(
            session=session,
            viewer=head,
            activity_id=activity.id,
            person_id=small_city.person_id("member"),
            reason="出差",
            now=NOW,
        )
        outsider = await record_leave(
            session=session,
            viewer=head,
            activity_id=activity.id,
            person_id=small_city.person_id("other_member"),
            reason="x",
            now=NOW,
        )
    assert recorded.outcome == LeaveOutcome.RECORDED
    assert outsider.outcome == LeaveOutcome.NOT_MEMBER
    async with sessions() as session:
        head = await viewer_of(session, small_city, "grid_head")
        shown = await panel(
            session=session, viewer=head, activity_id=activity.id, now=NOW, period_s=PERIOD
        )
        other = await viewer_of(session, small_city, "other_town_head")
        assert (
            await panel(
                session=session, viewer=other, activity_id=activity.id, now=NOW, period_s=PERIOD
            )
            is None
        )
    assert shown is not None
    assert [(line.name, line.status, line.reason) for line in shown.lines] == [
        ("陈统计", AttendanceStatus.LEAVE, "出差"),
        ("李指导员", None, None),
    ]
    assert shown.code is not None
    # The member came after all: the leave becomes a check-in.
    code = shown.code.code
    late = await code_check_in(sessions, small_city, "member", code)
    assert late.outcome == Outcome.CHECKED_IN
    async with transaction(sessions) as session:
        again = await record_leave(
            session=session,
            viewer=await viewer_of(session, small_city, "grid_head"),
            activity_id=activity.id,
            person_id=small_city.person_id("member"),
            reason="出差",
            now=NOW,
        )
    assert again.outcome == LeaveOutcome.CHECKED_IN
