"""/activities and the organiser's panel: what they list, as text and neutral buttons."""

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from sqlmodel.ext.asyncio.session import AsyncSession

from core.buttons import Button, Keyboard
from core.formatting import clock, esc, fit_lines, month_day, truncate_plain
from models import activities as queries
from models.enums import AttendanceStatus
from models.tables import Activity, Attendance, Grid
from services.access import Viewer
from services.activities import texts
from services.activities.attendance import AttendanceLine, managed_lines
from services.activities.buttons import PanelAction, PanelButton
from services.activities.checkin import has_location
from services.activities.codes import ShownCode, current_code
from services.activities.members import person_grid_ids
from services.activities.reminders import reminded

# /activities lists what ended this recently, so the organiser can still remind and record leave.
RECENT_PAST = timedelta(days=7)
UPCOMING = timedelta(days=90)
LABEL_TITLE_MAX = 20


@dataclass(frozen=True)
class Joined:
    activity: Activity
    attendance: Attendance | None


@dataclass(frozen=True)
class Listing:
    managed: list[Activity]
    joined: list[Joined]


async def list_activities(*, session: AsyncSession, viewer: Viewer, now: datetime) -> Listing:
    """Activities to show in /activities: those the viewer manages (upcoming, ongoing or ended
    in the last week) and those they are invited to (upcoming or ongoing)."""
    managed = await queries.activities_managed(
        session=session,
        organiser_id=viewer.person_id,
        grid_ids=viewer.staffed_grid_ids,
        starts_before=now + UPCOMING,
        ends_after=now - RECENT_PAST,
    )
    managed_ids = {a.id for a in managed}
    mine = await person_grid_ids(session=session, person_id=viewer.person_id)
    invited = [
        a
        for a in await queries.activities_for_grids(
            session=session, grid_ids=mine, starts_before=now + UPCOMING, ends_after=now
        )
        if a.id not in managed_ids and a.organiser_id != viewer.person_id
    ]
    joined = []
    for activity in invited:
        assert activity.id is not None
        row = await queries.attendance_of(
            session=session, activity_id=activity.id, person_id=viewer.person_id
        )
        joined.append(Joined(activity, row))
    return Listing(managed=managed, joined=joined)


def joined_text(joined: list[Joined], *, tz: tzinfo) -> str:
    """The activities the viewer is invited to, each with their own attendance."""
    lines: list[str] = []
    for item in joined:
        row = item.attendance
        if row is None:
            state = texts.ACTS_NOT_CHECKED_IN
        elif row.status == AttendanceStatus.CHECKED_IN:
            assert row.checked_in_at is not None
            state = f"{texts.ACTS_CHECKED_IN} {clock(row.checked_in_at, tz)}"
        else:
            state = texts.ACTS_ON_LEAVE
        lines.append(f"{texts.open_activity_line(item.activity, tz)}（{state}）")
    text, _shown = fit_lines(
        lines, head=texts.ACTS_HEADING_JOINED, more=lambda left: texts.PANEL_MORE.format(count=left)
    )
    return text


def managed_keyboard(managed: list[Activity], *, tz: tzinfo) -> Keyboard:
    """One button per managed activity, opening its panel."""
    rows = []
    for activity in managed:
        assert activity.id is not None
        title = activity.title
        if len(title) > LABEL_TITLE_MAX:
            title = title[: LABEL_TITLE_MAX - 1] + "…"
        label = f"{month_day(activity.starts_at, tz)} {activity.kind.value}：{title}"
        rows.append([Button(label, data=PanelButton(PanelAction.OPEN, activity.id))])
    return rows


@dataclass(frozen=True)
class Panel:
    activity: Activity
    grids: list[Grid]
    lines: list[AttendanceLine]
    # Shown while check-in is open (or about to open today); None otherwise.
    code: ShownCode | None
    ended: bool
    reminded: bool

    @property
    def absent(self) -> list[AttendanceLine]:
        return [line for line in self.lines if line.status is None]


async def panel(
    *, session: AsyncSession, viewer: Viewer, activity_id: int, now: datetime, period_s: int
) -> Panel | None:
    """The organiser's view of one activity; None when the viewer may not manage it."""
    found = await managed_lines(session=session, viewer=viewer, activity_id=activity_id)
    if found is None:
        return None
    activity, grid_rows, lines = found
    ended = now > activity.ends_at
    shows_code = activity.cancelled_at is None and not ended
    return Panel(
        activity=activity,
        grids=grid_rows,
        lines=lines,
        code=current_code(activity, now=now, period_s=period_s) if shows_code else None,
        ended=ended,
        reminded=await reminded(session=session, activity_id=activity_id),
    )


def panel_text(panel: Panel, *, tz: tzinfo, period_s: int, radius_m: int) -> str:
    """The panel: the activity, its current code, and who checked in, is on leave or absent."""
    activity = panel.activity
    place = esc(activity.place)
    if has_location(activity):
        place += f"（签到需在 {activity.radius_m or radius_m} 米范围内）"
    grids = truncate_plain("、".join(g.name for g in panel.grids), texts.GRIDS_SHOWN_CHARS)
    lines = [
        f"<b>{texts.activity_name(activity)}</b>",
        f"时间：{texts.activity_when(activity, tz)}",
        f"地点：{place}",
        f"网格：{esc(grids)}",
        "",
    ]
    if panel.code is not None:
        lines.append(
            texts.PANEL_CODE.format(
                code=panel.code.code,
                until=panel.code.valid_until.astimezone(tz).strftime("%H:%M:%S"),
                seconds=period_s,
            )
        )
        lines.append(texts.PANEL_CODE_HINT.format(code=panel.code.code))
    elif activity.cancelled_at is not None:
        lines.append(texts.PANEL_NO_CODE_CANCELLED)
    else:
        lines.append(texts.PANEL_NO_CODE_ENDED)
    checked = [li for li in panel.lines if li.status == AttendanceStatus.CHECKED_IN]
    leave = [li for li in panel.lines if li.status == AttendanceStatus.LEAVE]
    absent = panel.absent
    lines += [
        "",
        texts.PANEL_ATTENDANCE.format(checked=len(checked), leave=len(leave), absent=len(absent)),
    ]
    if not panel.lines:
        lines.append(texts.PANEL_NOBODY)
    # Who: a long list (a town's activity) is cut where the message is full.
    who: list[str] = []
    if checked:
        who.append(f"{texts.PANEL_CHECKED_IN}：")
        for line in checked:
            at = clock(line.at, tz) if line.at else ""
            method = line.method.value if line.method else ""
            who.append(f"• {esc(line.name)} {at} {method}")
    if leave:
        who.append(f"{texts.PANEL_LEAVE}：")
        who += [f"• {esc(li.name)}：{esc(li.reason or '')}" for li in leave]
    if absent:
        who.append(f"{texts.PANEL_ABSENT}：")
        who += [f"• {esc(li.name)}" for li in absent]
    text, _shown = fit_lines(
        who,
        head="\n".join(lines),
        more=lambda left: texts.PANEL_MORE.format(count=left),
        tail=f"\n{texts.PANEL_REMINDED}" if panel.reminded else "",
    )
    return text


def panel_keyboard(panel: Panel) -> Keyboard:
    """[刷新签到码] [签到二维码] while the code is shown; [登记请假], and after the end
    [提醒未签到] until the absentees were reminded."""
    activity_id = panel.activity.id
    assert activity_id is not None
    rows: list[list[Button]] = []
    if panel.code is not None:
        rows.append(
            [
                Button(texts.PANEL_REFRESH, data=PanelButton(PanelAction.REFRESH, activity_id)),
                Button(texts.PANEL_QR, data=PanelButton(PanelAction.QR, activity_id)),
            ]
        )
    if panel.activity.cancelled_at is None:
        row = [Button(texts.PANEL_LEAVE_BUTTON, data=PanelButton(PanelAction.LEAVE, activity_id))]
        if panel.ended and not panel.reminded and panel.absent:
            row.append(
                Button(texts.PANEL_REMIND, data=PanelButton(PanelAction.REMIND, activity_id))
            )
        rows.append(row)
    return rows
