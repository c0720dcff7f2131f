"""What the grids' members did in a time window: activities held and attended, notices
confirmed and how fast, questions answered and how fast."""

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import ActivityKind, AttendanceStatus
from models.scorecards.grids import fetch_all, grid_members, only_grids
from models.tables import (
    Activity,
    ActivityGrid,
    Attendance,
    Person,
    Question,
    QuestionPost,
    TelegramBinding,
)

# Rows fetched at a time from large results.
_PARTITION = 10_000


async def activity_kinds(
    *,
    session: AsyncSession,
    start: datetime,
    end: datetime,
    grid_ids: Collection[int] | None = None,
) -> dict[int, dict[ActivityKind, int]]:
    """Grid id -> uncancelled activities starting in [start, end), counted by kind."""
    statement = (
        sa.select(col(ActivityGrid.grid_id), col(Activity.kind), sa.func.count())
        .join(Activity, col(Activity.id) == col(ActivityGrid.activity_id))
        .where(
            col(Activity.cancelled_at).is_(None),
            col(Activity.starts_at) >= start,
            col(Activity.starts_at) < end,
        )
        .group_by(col(ActivityGrid.grid_id), col(Activity.kind))
    )
    statement = only_grids(statement, col(ActivityGrid.grid_id), grid_ids)
    found: dict[int, dict[ActivityKind, int]] = defaultdict(dict)
    for grid_id, kind, count in await fetch_all(session, statement):
        found[grid_id][ActivityKind(kind)] = count
    return dict(found)


@dataclass(frozen=True, slots=True)
class AttendanceCounts:
    """A grid's attendance at its activities: `expected` is the 应到 denominator."""

    expected: int = 0
    checked_in: int = 0
    on_leave: int = 0


async def attendance_by_grid(
    *,
    session: AsyncSession,
    start: datetime,
    end: datetime,
    grid_ids: Collection[int] | None = None,
) -> dict[int, AttendanceCounts]:
    """Grid id -> attendance of the grid's members at its uncancelled activities starting in
    [start, end): `attendance_by_activity` summed over the grid's activities."""
    found: dict[int, AttendanceCounts] = {}
    by_activity = await attendance_by_activity(
        session=session, start=start, end=end, grid_ids=grid_ids
    )
    for (_activity_id, grid_id), counts in by_activity.items():
        seen = found.get(grid_id, AttendanceCounts())
        found[grid_id] = AttendanceCounts(
            seen.expected + counts.expected,
            seen.checked_in + counts.checked_in,
            seen.on_leave + counts.on_leave,
        )
    return found


async def attendance_by_activity(
    *,
    session: AsyncSession,
    start: datetime,
    end: datetime,
    grid_ids: Collection[int] | None = None,
) -> dict[tuple[int, int], AttendanceCounts]:
    """(activity id, grid id) -> attendance of the grid's members at each uncancelled activity
    for the grid starting in [start, end): the one definition behind every surface.

    应到 (expected) counts the members who were *invited*: a member is invited to an activity
    when, at its start, they had a live Telegram binding (the invitation reaches only bound
    accounts) and had not been marked unreachable (blocked the bot) before it. A member who
    checked in always counts as invited and present. Leave recorded with a reason is not
    absence: it is counted apart (on_leave) and never in 应到.
    """
    members = grid_members()
    bound = (
        sa.select(sa.literal(1))
        .where(
            col(TelegramBinding.person_id) == members.c.person_id,
            col(TelegramBinding.bound_at) <= col(Activity.starts_at),
            sa.or_(
                col(TelegramBinding.ended_at).is_(None),
                col(TelegramBinding.ended_at) > col(Activity.starts_at),
            ),
        )
        .correlate_except(TelegramBinding)
        .exists()
    )
    reachable = sa.or_(
        col(Person.unreachable_at).is_(None), col(Person.unreachable_at) > col(Activity.starts_at)
    )
    status = col(Attendance.status)
    checked_in = status == AttendanceStatus.CHECKED_IN
    on_leave = status == AttendanceStatus.LEAVE
    invited = sa.or_(checked_in, sa.and_(status.is_(None), reachable, bound))
    statement = (
        sa.select(
            col(ActivityGrid.activity_id),
            col(ActivityGrid.grid_id),
            sa.func.sum(sa.case((invited, 1), else_=0)),
            sa.func.sum(sa.case((checked_in, 1), else_=0)),
            sa.func.sum(sa.case((on_leave, 1), else_=0)),
        )
        .join(Activity, col(Activity.id) == col(ActivityGrid.activity_id))
        .join(members, members.c.grid_id == col(ActivityGrid.grid_id))
        .join(Person, col(Person.id) == members.c.person_id)
        .outerjoin(
            Attendance,
            sa.and_(
                col(Attendance.activity_id) == col(Activity.id),
                col(Attendance.person_id) == members.c.person_id,
            ),
        )
        .where(
            col(Activity.cancelled_at).is_(None),
            col(Activity.starts_at) >= start,
            col(Activity.starts_at) < end,
        )
        .group_by(col(ActivityGrid.activity_id), col(ActivityGrid.grid_id))
    )
    statement = only_grids(statement, col(ActivityGrid.grid_id), grid_ids)
    return {
        (activity_id, grid_id): AttendanceCounts(
            int(expected or 0), int(present or 0), int(leave or 0)
        )
        for activity_id, grid_id, expected, present, leave in await fetch_all(session, statement)
    }


def _seconds(start: datetime, end: datetime) -> float:
    # SQLite hands back naive datetimes on raw selects; both are stored in UTC.
    if start.tzinfo is None:
        start = start.replace(tzinfo=end.tzinfo)
    if end.tzinfo is None:
        end = end.replace(tzinfo=start.tzinfo)
    return (end - start).total_seconds()


@dataclass(frozen=True, slots=True)
class QuestionCounts:
    asked: int
    # Seconds from asking to the first answer, one per answered question.
    answer_seconds: tuple[float, ...]


async def question_answers(
    *,
    session: AsyncSession,
    start: datetime,
    end: datetime,
    grid_ids: Collection[int] | None = None,
) -> dict[int, QuestionCounts]:
    """Grid id -> questions filed in [start, end), and for each answered one the time to its
    first answer."""
    first_answer = (
        sa.select(
            col(QuestionPost.question_id).label("question_id"),
            sa.func.min(col(QuestionPost.created_at)).label("answered_at"),
        )
        .where(col(QuestionPost.kind) == "answer")
        .group_by(col(QuestionPost.question_id))
        .subquery("first_answer")
    )
    statement = (
        sa.select(col(Question.grid_id), col(Question.created_at), first_answer.c.answered_at)
        .outerjoin(first_answer, first_answer.c.question_id == col(Question.id))
        .where(col(Question.created_at) >= start, col(Question.created_at) < end)
    )
    statement = only_grids(statement, col(Question.grid_id), grid_ids)
    asked: dict[int, int] = defaultdict(int)
    seconds: dict[int, list[float]] = defaultdict(list)
    for grid_id, created_at, answered_at in await fetch_all(session, statement):
        asked[grid_id] += 1
        if answered_at is not None:
            seconds[grid_id].append(_seconds(created_at, answered_at))
    return {
        grid_id: QuestionCounts(count, tuple(seconds.get(grid_id, ())))
        for grid_id, count in asked.items()
    }
