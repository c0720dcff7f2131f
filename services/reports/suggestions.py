"""What the bot suggests for each part of a grid's monthly report, from what it recorded: the
month's activities with attendance, open questions and unconfirmed notices of the grid's
members, next month's scheduled activities."""

from datetime import datetime, tzinfo

from sqlmodel.ext.asyncio.session import AsyncSession

from core.formatting import month_day
from models import reports as queries
from models.enums import AttendanceStatus
from services.reports.limits import fitted_suggestion
from services.reports.periods import month_window, shift_period

SNIPPET = 30
SHOWN = 5


def _snippet(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= SNIPPET else flat[: SNIPPET - 1] + "…"


async def suggestions(
    *, session: AsyncSession, grid_id: int, period: str, now: datetime, tz: tzinfo
) -> tuple[str | None, str | None, str | None, str | None]:
    """Plain-text suggestions for the four parts, each cut to what a part may hold; None where
    the bot knows nothing."""
    start, end = month_window(period, tz)
    held = await queries.grid_activities(session=session, grid_id=grid_id, start=start, end=end)
    counts = await queries.attendance_counts(
        session=session, activity_ids=[a.id for a in held if a.id is not None]
    )
    lines = []
    for activity in held:
        assert activity.id is not None
        tally = counts[activity.id]
        future = "（尚未举行）" if activity.starts_at > now else ""
        lines.append(
            f"{month_day(activity.starts_at, tz)} {activity.kind.value}活动“{activity.title}”"
            f"{future}：签到 {tally[AttendanceStatus.CHECKED_IN]} 人，"
            f"请假 {tally[AttendanceStatus.LEAVE]} 人"
        )
    activities = "\n".join(lines) if lines else "本月未组织网格活动。"

    problems = []
    questions = await queries.open_questions(session=session, grid_id=grid_id)
    if questions:
        shown = "；".join(_snippet(q.text) for q in questions[:SHOWN])
        more = "等" if len(questions) > SHOWN else ""
        problems.append(f"网格员提问待回复 {len(questions)} 条：{shown}{more}。")
    unread = await queries.unconfirmed_notices_of_members(session=session, grid_id=grid_id)
    if unread:
        names = "、".join(f"{person.name}（{count}条）" for person, count in unread[:SHOWN])
        more = f"等 {len(unread)} 人" if len(unread) > SHOWN else ""
        problems.append(f"有未确认的通知：{names}{more}，需督促阅读。")

    next_start, next_end = month_window(shift_period(period, 1), tz)
    planned = await queries.grid_activities(
        session=session, grid_id=grid_id, start=next_start, end=next_end
    )
    plan = (
        "已安排："
        + "；".join(f"{month_day(a.starts_at, tz)} {a.kind.value}活动“{a.title}”" for a in planned)
        if planned
        else None
    )
    return (
        fitted_suggestion(activities),
        fitted_suggestion("\n".join(problems) or None),
        None,
        fitted_suggestion(plan),
    )
