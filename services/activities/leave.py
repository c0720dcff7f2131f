"""[登记请假]: the organiser records a member's leave, with its reason."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlmodel.ext.asyncio.session import AsyncSession

from core.buttons import Button, Keyboard
from models import activities as queries
from models.enums import AttendanceStatus, CheckinMethod
from models.tables import Attendance
from services.access import Viewer
from services.activities import texts
from services.activities.attendance import AttendanceLine, managed_lines
from services.activities.buttons import LeavePerson


class LeaveOutcome(StrEnum):
    RECORDED = "recorded"
    CHECKED_IN = "checked_in"
    NOT_MEMBER = "not_member"
    FORBIDDEN = "forbidden"


@dataclass(frozen=True)
class LeaveResult:
    outcome: LeaveOutcome
    name: str = ""


async def leave_candidates(
    *, session: AsyncSession, viewer: Viewer, activity_id: int
) -> list[AttendanceLine] | None:
    """Members for whom leave can be recorded (not checked in); None if not allowed."""
    found = await managed_lines(session=session, viewer=viewer, activity_id=activity_id)
    if found is None:
        return None
    _activity, _grids, lines = found
    return [line for line in lines if line.status != AttendanceStatus.CHECKED_IN]


def candidates_keyboard(activity_id: int, candidates: list[AttendanceLine]) -> Keyboard:
    """One button per candidate; those already on leave are marked (their reason can change)."""
    return [
        [
            Button(
                line.name + (f"（{texts.PANEL_LEAVE}）" if line.status else ""),
                data=LeavePerson(activity_id, line.person_id),
            )
        ]
        for line in candidates
    ]


async def record_leave(
    *,
    session: AsyncSession,
    viewer: Viewer,
    activity_id: int,
    person_id: int,
    reason: str,
    now: datetime,
) -> LeaveResult:
    """Record (or update) a member's leave with its reason. The caller commits."""
    candidates = await leave_candidates(session=session, viewer=viewer, activity_id=activity_id)
    if candidates is None:
        return LeaveResult(LeaveOutcome.FORBIDDEN)
    line = next((c for c in candidates if c.person_id == person_id), None)
    if line is None:
        row = await queries.attendance_of(
            session=session, activity_id=activity_id, person_id=person_id
        )
        if row is not None and row.status == AttendanceStatus.CHECKED_IN:
            return LeaveResult(LeaveOutcome.CHECKED_IN)
        return LeaveResult(LeaveOutcome.NOT_MEMBER)
    inserted = await queries.insert_attendance(
        session=session,
        row=Attendance(
            activity_id=activity_id,
            person_id=person_id,
            status=AttendanceStatus.LEAVE,
            method=CheckinMethod.ORGANISER,
            leave_reason=reason,
            recorded_by=viewer.person_id,
            created_at=now,
        ),
    )
    if not inserted:
        row = await queries.attendance_of(
            session=session, activity_id=activity_id, person_id=person_id, for_update=True
        )
        assert row is not None
        if row.status == AttendanceStatus.CHECKED_IN:
            return LeaveResult(LeaveOutcome.CHECKED_IN, line.name)
        row.leave_reason, row.recorded_by = reason, viewer.person_id
        session.add(row)
        await session.flush()
    return LeaveResult(LeaveOutcome.RECORDED, line.name)
