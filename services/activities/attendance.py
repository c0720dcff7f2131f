"""Who may manage an activity, and everyone who belongs to it with their attendance."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from models import activities as queries
from models import people
from models.enums import AttendanceStatus, CheckinMethod
from models.tables import Activity, Grid
from services.access import Viewer
from services.activities.members import invitees


def may_manage(viewer: Viewer, activity: Activity, grid_ids: set[int]) -> bool:
    """The organiser, or staff (网格长, 副网格长, 网格指导员) of one of the activity's grids."""
    return activity.organiser_id == viewer.person_id or bool(viewer.staffed_grid_ids & grid_ids)


async def managed_activity(
    *, session: AsyncSession, viewer: Viewer, activity_id: int
) -> tuple[Activity, list[Grid]] | None:
    """The activity with its grids when the viewer may manage it; None otherwise (also for
    an unknown id: a forged callback learns nothing)."""
    activity = await queries.activity_by_id(session=session, activity_id=activity_id)
    if activity is None:
        return None
    found = (await queries.grids_of(session=session, activity_ids=[activity_id]))[activity_id]
    if not may_manage(viewer, activity, {g.id for g in found if g.id is not None}):
        return None
    return activity, found


@dataclass(frozen=True)
class AttendanceLine:
    person_id: int
    name: str
    status: AttendanceStatus | None
    at: datetime | None = None
    method: CheckinMethod | None = None
    reason: str | None = None


async def attendance_lines(
    *, session: AsyncSession, activity: Activity, grid_ids: Sequence[int]
) -> list[AttendanceLine]:
    """Everyone who belongs to the activity, checked in first (by time), then on leave, then
    absent (by name); people with a record who have since left its grids are kept."""
    assert activity.id is not None
    members = await invitees(session=session, activity=activity, grid_ids=grid_ids)
    rows = {
        r.person_id: r for r in await queries.attendance(session=session, activity_id=activity.id)
    }
    names = {p.id: p.name for p in members if p.id is not None}
    missing = [pid for pid in rows if pid not in names]
    for person in await people.people_by_ids(session=session, person_ids=missing):
        if person.id is not None:
            names[person.id] = person.name
    lines = []
    for person_id, name in names.items():
        row = rows.get(person_id)
        if row is None:
            lines.append(AttendanceLine(person_id, name, None))
        else:
            lines.append(
                AttendanceLine(
                    person_id,
                    name,
                    row.status,
                    at=row.checked_in_at,
                    method=row.method,
                    reason=row.leave_reason,
                )
            )
    order = {AttendanceStatus.CHECKED_IN: 0, AttendanceStatus.LEAVE: 1, None: 2}
    far = datetime.max.replace(tzinfo=UTC)
    lines.sort(key=lambda line: (order[line.status], line.at or far, line.name, line.person_id))
    return lines


async def managed_lines(
    *, session: AsyncSession, viewer: Viewer, activity_id: int
) -> tuple[Activity, list[Grid], list[AttendanceLine]] | None:
    """`managed_activity` with its attendance lines; None when the viewer may not manage it."""
    found = await managed_activity(session=session, viewer=viewer, activity_id=activity_id)
    if found is None:
        return None
    activity, grid_rows = found
    lines = await attendance_lines(
        session=session, activity=activity, grid_ids=[g.id for g in grid_rows if g.id is not None]
    )
    return activity, grid_rows, lines
