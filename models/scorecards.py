"""Query functions for grid scorecards: per level-3 grid aggregates over a time window.

A grid's members are, as for continuing education, the active statisticians of its survey
objects and its live staff (网格长, 副网格长, 网格指导员); a person may belong to several grids
and then counts in each. Every function reads aggregates or narrow rows, so a whole city's
year stays cheap (see bench/oversight.py).
"""

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import GRID_STAFF_ROLES, ActivityKind, AttendanceStatus, GridLevel
from models.tables import (
    Activity,
    ActivityGrid,
    Assignment,
    Attendance,
    Grid,
    MonthlyReport,
    Notice,
    NoticeRecipient,
    Person,
    Question,
    QuestionPost,
    ReportHearing,
    StudyRecord,
    SurveyObject,
)

# Rows fetched at a time from large results.
_PARTITION = 10_000


async def _all(session: AsyncSession, statement: sa.Executable) -> list[Any]:
    # Column selects run on the session's connection (same transaction): sqlmodel's typed
    # select() stops at four columns.
    await session.flush()
    connection = await session.connection()
    return list((await connection.execute(statement)).all())


def _only(statement: Any, column: Any, grid_ids: Collection[int] | None) -> Any:
    """Restrict to `grid_ids` (None: every grid)."""
    return statement if grid_ids is None else statement.where(column.in_(list(grid_ids)))


@dataclass(frozen=True, slots=True)
class GridRow:
    grid_id: int
    grid_name: str
    town_id: int
    town_name: str


async def level3_grids(
    *, session: AsyncSession, town_ids: Collection[int] | None = None
) -> list[GridRow]:
    """Level-3 grids with their towns (town_ids None: the whole city), by town and grid name."""
    town = aliased(Grid)
    statement = (
        sa.select(col(Grid.id), col(Grid.name), col(town.id), col(town.name))
        .join(town, col(town.id) == col(Grid.parent_id))
        .where(col(Grid.level) == GridLevel.GRID)
        .order_by(col(town.name), col(Grid.name))
    )
    if town_ids is not None:
        if not town_ids:
            return []
        statement = statement.where(col(town.id).in_(list(town_ids)))
    return [GridRow(*row) for row in await _all(session, statement)]


def _members() -> sa.Subquery:
    """(grid_id, person_id) of every level-3 grid member, each pair once."""
    statisticians: sa.Select[*tuple[Any, ...]] = (
        sa.select(
            col(SurveyObject.grid_id).label("grid_id"),
            col(SurveyObject.statistician_id).label("person_id"),
        )
        .join(Person, col(Person.id) == col(SurveyObject.statistician_id))
        .where(col(SurveyObject.grid_id).is_not(None), col(Person.active))
    )
    staff: sa.Select[*tuple[Any, ...]] = (
        sa.select(
            col(Assignment.grid_id).label("grid_id"),
            col(Assignment.person_id).label("person_id"),
        )
        .join(Person, col(Person.id) == col(Assignment.person_id))
        .join(Grid, col(Grid.id) == col(Assignment.grid_id))
        .where(
            col(Assignment.ended_at).is_(None),
            col(Assignment.role).in_(list(GRID_STAFF_ROLES)),
            col(Grid.level) == GridLevel.GRID,
            col(Person.active),
        )
    )
    return sa.union(statisticians, staff).subquery("members")


@dataclass(frozen=True, slots=True)
class MemberCounts:
    members: int
    unreachable: int


async def member_counts(
    *, session: AsyncSession, grid_ids: Collection[int] | None = None
) -> dict[int, MemberCounts]:
    """Grid id -> how many members, and how many of them blocked the bot (unreachable)."""
    members = _members()
    statement = (
        sa.select(
            members.c.grid_id,
            sa.func.count(),
            sa.func.count(col(Person.unreachable_at)),
        )
        .join(Person, col(Person.id) == members.c.person_id)
        .group_by(members.c.grid_id)
    )
    statement = _only(statement, members.c.grid_id, grid_ids)
    return {
        grid_id: MemberCounts(total, unreachable)
        for grid_id, total, unreachable in await _all(session, statement)
    }


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
    statement = _only(statement, col(ActivityGrid.grid_id), grid_ids)
    found: dict[int, dict[ActivityKind, int]] = defaultdict(dict)
    for grid_id, kind, count in await _all(session, statement):
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
    members = _members()
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
    statement = _only(statement, col(ActivityGrid.grid_id), grid_ids)
    found: dict[int, dict[AttendanceStatus, int]] = defaultdict(dict)
    for grid_id, status, count in await _all(session, statement):
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
    members = _members()
    grids_of: dict[int, list[int]] = defaultdict(list)
    pairs = _only(sa.select(members.c.grid_id, members.c.person_id), members.c.grid_id, grid_ids)
    for grid_id, person_id in await _all(session, pairs):
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
    statement = _only(statement, col(Question.grid_id), grid_ids)
    asked: dict[int, int] = defaultdict(int)
    seconds: dict[int, list[float]] = defaultdict(list)
    for grid_id, created_at, answered_at in await _all(session, statement):
        asked[grid_id] += 1
        if answered_at is not None:
            seconds[grid_id].append(_seconds(created_at, answered_at))
    return {
        grid_id: QuestionCounts(count, tuple(seconds.get(grid_id, ())))
        for grid_id, count in asked.items()
    }


@dataclass(frozen=True, slots=True)
class ReportCounts:
    submitted: int
    on_time: int


async def report_counts(
    *,
    session: AsyncSession,
    periods: Collection[str],
    grid_ids: Collection[int] | None = None,
) -> dict[int, ReportCounts]:
    """Grid id -> monthly reports submitted for `periods` ("YYYY-MM"), and how many on time."""
    if not periods:
        return {}
    statement = (
        sa.select(
            col(MonthlyReport.grid_id),
            sa.func.count(),
            sa.func.sum(sa.case((col(MonthlyReport.late), 0), else_=1)),
        )
        .where(col(MonthlyReport.period).in_(list(periods)))
        .group_by(col(MonthlyReport.grid_id))
    )
    statement = _only(statement, col(MonthlyReport.grid_id), grid_ids)
    return {
        grid_id: ReportCounts(int(total), int(on_time or 0))
        for grid_id, total, on_time in await _all(session, statement)
    }


async def hearing_counts(*, session: AsyncSession, periods: Collection[str]) -> dict[int, int]:
    """Town id -> months of `periods` whose reports the town's 二级网格长 confirmed hearing."""
    if not periods:
        return {}
    statement = (
        sa.select(col(ReportHearing.town_id), sa.func.count())
        .where(col(ReportHearing.period).in_(list(periods)))
        .group_by(col(ReportHearing.town_id))
    )
    return {town_id: int(count) for town_id, count in await _all(session, statement)}


@dataclass(frozen=True, slots=True)
class EducationCounts:
    hours: float
    # Members whose hours reach the target.
    reached: int


async def education_by_grid(
    *,
    session: AsyncSession,
    first_day: date,
    last_day: date,
    target_hours: float,
    grid_ids: Collection[int] | None = None,
) -> dict[int, EducationCounts]:
    """Grid id -> members' study hours from first_day to last_day (inclusive), in total, and
    how many members reached `target_hours` in that span."""
    members = _members()
    per_person = (
        sa.select(
            col(StudyRecord.person_id).label("person_id"),
            sa.func.sum(col(StudyRecord.hours)).label("hours"),
        )
        .where(col(StudyRecord.studied_on) >= first_day, col(StudyRecord.studied_on) <= last_day)
        .group_by(col(StudyRecord.person_id))
        .subquery("per_person")
    )
    statement = (
        sa.select(
            members.c.grid_id,
            sa.func.sum(per_person.c.hours),
            sa.func.sum(sa.case((per_person.c.hours >= target_hours, 1), else_=0)),
        )
        .join(per_person, per_person.c.person_id == members.c.person_id)
        .group_by(members.c.grid_id)
    )
    statement = _only(statement, members.c.grid_id, grid_ids)
    return {
        grid_id: EducationCounts(float(hours or 0), int(reached or 0))
        for grid_id, hours, reached in await _all(session, statement)
    }


async def grids_of_person(*, session: AsyncSession, person_id: int) -> list[GridRow]:
    """The level-3 grids a person belongs to (keeps statistics in or staffs)."""
    members = _members()
    town = aliased(Grid)
    statement = (
        sa.select(col(Grid.id), col(Grid.name), col(town.id), col(town.name))
        .join(members, members.c.grid_id == col(Grid.id))
        .join(town, col(town.id) == col(Grid.parent_id))
        .where(members.c.person_id == person_id)
        .order_by(col(town.name), col(Grid.name))
    )
    return [GridRow(*row) for row in await _all(session, statement)]
