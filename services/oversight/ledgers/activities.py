"""The activities ledger: each activity per grid it was for, with attendance, and each
attendance record."""

from datetime import tzinfo

from sqlmodel.ext.asyncio.session import AsyncSession

from models import exports as queries
from models.exports import AttendanceRow
from models.scorecards.engagement import AttendanceCounts, attendance_by_activity
from services.duties.status import Scope
from services.oversight import texts
from services.oversight.ledgers.sheets import Rows, Sheet, local, rate
from services.oversight.periods import Period


async def activity_sheets(
    *, session: AsyncSession, period: Period, scope: Scope, tz: tzinfo
) -> tuple[list[Sheet], int]:
    start, end = period.bounds(tz)
    places = await queries.grid_places(session=session)
    grids_of = await queries.activity_grid_ids(session=session, start=start, end=end)
    expected = await queries.grid_people_ids(session=session)
    # 应到, 签到 and 请假 per activity and grid: the scorecards' definition.
    counts = await attendance_by_activity(session=session, start=start, end=end)
    attendance = await queries.attendance_starting(session=session, start=start, end=end)
    by_activity: dict[int, list[AttendanceRow]] = {}
    for row in attendance:
        by_activity.setdefault(row.activity_id, []).append(row)
    recorders = await queries.person_names(
        session=session, person_ids={r.recorded_by for r in attendance if r.recorded_by}
    )
    activity_rows: Rows = []
    attendance_rows: Rows = []
    for activity, organiser in await queries.activities_starting(
        session=session, start=start, end=end
    ):
        assert activity.id is not None
        covered = sorted(
            (places[g] for g in grids_of.get(activity.id, []) if g in places),
            key=lambda p: (p.town_name, p.grid_name),
        )
        covered = [p for p in covered if scope.covers(p.town_id, p.grid_id)]
        if not covered:
            continue
        rows = by_activity.get(activity.id, [])
        state = texts.EXPORT_CANCELLED if activity.cancelled_at else texts.EXPORT_HELD
        for place in covered:
            seen = counts.get((activity.id, place.grid_id), AttendanceCounts())
            activity_rows.append(
                [
                    activity.id,
                    place.town_name,
                    place.grid_name,
                    activity.kind.value,
                    activity.title,
                    local(activity.starts_at, tz),
                    local(activity.ends_at, tz),
                    activity.place,
                    organiser,
                    state,
                    seen.expected,
                    seen.checked_in,
                    seen.on_leave,
                    rate(seen.checked_in, seen.expected),
                ]
            )
        grid_names = "、".join(p.grid_name for p in covered)
        for row in rows:
            own = next(
                (p.grid_name for p in covered if row.person_id in expected.get(p.grid_id, ())), ""
            )
            if not own and scope.town_ids is not None:
                # Someone from a grid outside the viewer's scope (another town's grid of a
                # shared activity, or a guest): only the city sees them.
                continue
            attendance_rows.append(
                [
                    activity.id,
                    activity.title,
                    grid_names,
                    row.name,
                    own or texts.EXPORT_OTHER_GRID,
                    row.status.value,
                    row.method.value if row.method else None,
                    local(row.checked_in_at, tz),
                    row.leave_reason,
                    recorders.get(row.recorded_by) if row.recorded_by else None,
                ]
            )
    sheets: list[Sheet] = [
        (texts.EXPORT_SHEET_ACTIVITIES, texts.EXPORT_ACTIVITY_HEADERS, activity_rows),
        (texts.EXPORT_SHEET_ATTENDANCE, texts.EXPORT_ATTENDANCE_HEADERS, attendance_rows),
    ]
    return sheets, len(activity_rows)
