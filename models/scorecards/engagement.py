"""What the grids' members did in a time window: activities held and attended, notices
confirmed and how fast, questions answered and how fast."""

import re
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import ActivityKind, AttendanceStatus, GridLevel
from models.scorecards.grids import fetch_all, grid_members, only_grids
from models.tables import (
    Activity,
    ActivityGrid,
    Attendance,
    Grid,
    Notice,
    NoticeRecipient,
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
    [start, end).

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
        .group_by(col(ActivityGrid.grid_id))
    )
    statement = only_grids(statement, col(ActivityGrid.grid_id), grid_ids)
    return {
        grid_id: AttendanceCounts(int(expected or 0), int(present or 0), int(leave or 0))
        for grid_id, expected, present, leave in await fetch_all(session, statement)
    }


@dataclass(frozen=True, slots=True)
class NoticeCounts:
    recipients: int
    # Seconds from sending to [已阅], one per confirmation.
    confirm_seconds: tuple[float, ...]


# How services/notices/texts.py labels a notice's target ("<scope> · <audience>"); the scope is
# the only stored record of the grids a notice was sent to (tests check the two agree).
_SCOPE_SEPARATOR = " · "
_GRID_SCOPE = re.compile(r"^我的网格：(?P<name>.+)$")
_TOWN_SCOPE = re.compile(r"^(?P<name>.+)全镇（街道）$")


async def notice_target_grids(
    *, session: AsyncSession, start: datetime, end: datetime
) -> dict[int, frozenset[int] | None]:
    """Notice id -> the level-3 grids a notice sent in [start, end) was sent to, read from its
    target: a grid's notice is for that grid, a town's for the town's grids; None (any grid of
    its recipients) for the whole city (全市) or a target not recognised."""
    notices = await fetch_all(
        session,
        sa.select(col(Notice.id), col(Notice.target_label)).where(
            col(Notice.created_at) >= start, col(Notice.created_at) < end
        ),
    )
    if not notices:
        return {}
    town = aliased(Grid)
    grid_rows = await fetch_all(
        session,
        sa.select(col(Grid.id), col(Grid.name), col(town.name))
        .join(town, col(town.id) == col(Grid.parent_id))
        .where(col(Grid.level) == GridLevel.GRID),
    )
    by_name: dict[str, set[int]] = defaultdict(set)
    by_town: dict[str, set[int]] = defaultdict(set)
    for grid_id, name, town_name in grid_rows:
        by_name[name].add(grid_id)
        by_town[town_name].add(grid_id)
    found: dict[int, frozenset[int] | None] = {}
    for notice_id, label in notices:
        scope = label.rsplit(_SCOPE_SEPARATOR, 1)[0]
        target: frozenset[int] | None = None
        if grid := _GRID_SCOPE.match(scope):
            target = frozenset(by_name.get(grid["name"], ()))
        elif town_match := _TOWN_SCOPE.match(scope):
            target = frozenset(by_town.get(town_match["name"], ()))
        found[notice_id] = target
    return found


@dataclass(frozen=True, slots=True)
class NoticeFigures:
    """Notice copies counted for grids, and what summing grids counts twice.

    A copy counts once in each grid it counts for, but once only in a town and in the city
    (a statistician serving two grids of a town holds one copy, not two): a town's copies are
    the sum over its grids less `town_duplicates`, the city's less `city_duplicates` (kept
    apart so that a city's year does not hold every confirmation time three times)."""

    grids: dict[int, NoticeCounts]
    town_duplicates: dict[int, NoticeCounts]
    city_duplicates: NoticeCounts


async def notice_figures(
    *,
    session: AsyncSession,
    start: datetime,
    end: datetime,
    grid_ids: Collection[int] | None = None,
) -> NoticeFigures:
    """Copies of notices sent in [start, end) to grid members *for their grids*, and the time
    each confirmed copy took to be confirmed; per grid, per town and for the city.

    A copy counts for the grids its notice was sent to (notice_target_grids) that its
    recipient belongs to: a statistician serving two grids who receives grid 2's notice
    counts in grid 2 only. A city-wide notice counts in each grid of its recipient. Copies
    to people in no counted grid (e.g. town staff) count nowhere."""
    members = grid_members()
    grids_of: dict[int, list[int]] = defaultdict(list)
    town_of: dict[int, int] = {}
    pairs = only_grids(
        sa.select(members.c.grid_id, members.c.person_id, col(Grid.parent_id)).join(
            Grid, col(Grid.id) == members.c.grid_id
        ),
        members.c.grid_id,
        grid_ids,
    )
    for grid_id, person_id, town_id in await fetch_all(session, pairs):
        grids_of[person_id].append(grid_id)
        town_of[grid_id] = town_id
    targets = await notice_target_grids(session=session, start=start, end=end)
    # A city's year is one row per member and notice: the database computes the seconds so
    # that no datetimes are built, and rows are mapped to grids here, not joined in SQL.
    dialect = (await session.connection()).dialect.name
    statement = (
        sa.select(
            col(NoticeRecipient.notice_id),
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
    town_extra: dict[int, int] = defaultdict(int)
    town_extra_seconds: dict[int, list[float]] = defaultdict(list)
    city_extra = 0
    city_extra_seconds: list[float] = []
    # Streamed in partitions: the whole result would be held in memory twice over otherwise.
    result = await (await session.connection()).stream(statement)
    async for partition in result.partitions(_PARTITION):
        for notice_id, person_id, took in partition:
            target = targets.get(notice_id)
            # One float object per copy, shared by every list it is counted in.
            value = None if took is None else float(took)
            counted = 0
            towns: dict[int, int] = defaultdict(int)
            for grid_id in grids_of.get(person_id, ()):
                if target is not None and grid_id not in target:
                    continue
                counted += 1
                totals[grid_id] += 1
                towns[town_of[grid_id]] += 1
                if value is not None:
                    seconds[grid_id].append(value)
            if counted < 2:
                continue
            city_extra += counted - 1
            if value is not None:
                city_extra_seconds += [value] * (counted - 1)
            for town_id, times in towns.items():
                if times > 1:
                    town_extra[town_id] += times - 1
                    if value is not None:
                        town_extra_seconds[town_id] += [value] * (times - 1)
    return NoticeFigures(
        grids={
            grid_id: NoticeCounts(total, tuple(seconds.get(grid_id, ())))
            for grid_id, total in totals.items()
        },
        town_duplicates={
            town_id: NoticeCounts(extra, tuple(town_extra_seconds.get(town_id, ())))
            for town_id, extra in town_extra.items()
        },
        city_duplicates=NoticeCounts(city_extra, tuple(city_extra_seconds)),
    )


async def notice_confirmations(
    *,
    session: AsyncSession,
    start: datetime,
    end: datetime,
    grid_ids: Collection[int] | None = None,
) -> dict[int, NoticeCounts]:
    """Grid id -> copies of notices sent in [start, end) for the grid (see notice_figures)."""
    figures = await notice_figures(session=session, start=start, end=end, grid_ids=grid_ids)
    return figures.grids


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
