"""What the grids' members did in a time window: activities held and attended, notices
confirmed and how fast, questions answered and how fast."""

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import ActivityKind, AttendanceStatus
from models.scorecards.grids import fetch_all, grid_members, only_grids
from models.tables import (
    Activity,
    ActivityGrid,
    Attendance,
    Notice,
    NoticeRecipient,
    Question,
    QuestionPost,
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


async def attendance_by_grid(
    *,
    session: AsyncSession,
    start: datetime,
    end: datetime,
    grid_ids: Collection[int] | None = None,
) -> dict[int, dict[AttendanceStatus, int]]:
    """Grid id -> check-ins and leaves by the grid's own members at its uncancelled activities
    starting in [start, end)."""
    members = grid_members()
    statement = (
        sa.select(col(ActivityGrid.grid_id), col(Attendance.status), sa.func.count())
        .join(Activity, col(Activity.id) == col(ActivityGrid.activity_id))
        .join(Attendance, col(Attendance.activity_id) == col(Activity.id))
        .join(
            members,
            sa.and_(
                members.c.grid_id == col(ActivityGrid.grid_id),
                members.c.person_id == col(Attendance.person_id),
            ),
        )
        .where(
            col(Activity.cancelled_at).is_(None),
            col(Activity.starts_at) >= start,
            col(Activity.starts_at) < end,
        )
        .group_by(col(ActivityGrid.grid_id), col(Attendance.status))
    )
    statement = only_grids(statement, col(ActivityGrid.grid_id), grid_ids)
    found: dict[int, dict[AttendanceStatus, int]] = defaultdict(dict)
    for grid_id, status, count in await fetch_all(session, statement):
        found[grid_id][AttendanceStatus(status)] = count
    return dict(found)


@dataclass(frozen=True, slots=True)
class NoticeCounts:
    recipients: int
    # Seconds from sending to [已阅], one per confirmation.
    confirm_seconds: tuple[float, ...]


async def notice_confirmations(
    *,
    session: AsyncSession,
    start: datetime,
    end: datetime,
    grid_ids: Collection[int] | None = None,
) -> dict[int, NoticeCounts]:
    """Grid id -> copies of notices sent in [start, end) to the grid's members, and the time
    each confirmed copy took to be confirmed."""
    members = grid_members()
    grids_of: dict[int, list[int]] = defaultdict(list)
    pairs = only_grids(
        sa.select(members.c.grid_id, members.c.person_id), members.c.grid_id, grid_ids
    )
    for grid_id, person_id in await fetch_all(session, pairs):
        grids_of[person_id].append(grid_id)
    # A city's year is one row per member and notice: the database computes the seconds so
    # that no datetimes are built, and rows are mapped to grids here, not joined in SQL.
    dialect = (await session.connection()).dialect.name
    statement = (
        sa.select(
            col(NoticeRecipient.person_id),
            _seconds_between(col(Notice.created_at), col(NoticeRecipient.confirmed_at), dialect),
        )
        .join(Notice, col(Notice.id) == col(NoticeRecipient.notice_id))
        .where(col(Notice.created_at) >= start, col(Notice.created_at) < end)
    )
    if grid_ids is not None:
        statement = statement.where(col(NoticeRecipient.person_id).in_(list(grids_of)))
    totals: dict[int, int] = defaultdict(int)
    seconds: dict[int, list[float]] = defaultdict(list)
    # Streamed in partitions: the whole result would be held in memory twice over otherwise.
    result = await (await session.connection()).stream(statement)
    async for partition in result.partitions(_PARTITION):
        for person_id, took in partition:
            for grid_id in grids_of.get(person_id, ()):
                totals[grid_id] += 1
                if took is not None:
                    seconds[grid_id].append(float(took))
    return {
        grid_id: NoticeCounts(total, tuple(seconds.get(grid_id, ())))
        for grid_id, total in totals.items()
    }


def _seconds_between(start: Any, end: Any, dialect: str) -> sa.ColumnElement[Any]:
    """end - start in seconds (NULL when either is NULL)."""
    if dialect == "postgresql":
        return sa.extract("epoch", end - start)
    return (sa.func.julianday(end) - sa.func.julianday(start)) * 86400.0


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
