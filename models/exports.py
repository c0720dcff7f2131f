"""Query functions for the Excel 台账: everything of one kind in a time window, in a few
set-based queries (windows are joined, not passed as long id lists, so a year of a city stays
within every backend's parameter limits)."""

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import AttendanceStatus, CheckinMethod, GridLevel
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
    SurveyObject,
    still_on_grid,
)


@dataclass(frozen=True)
class GridPlace:
    """A level-3 grid and the town it lies in."""

    grid_id: int
    grid_name: str
    town_id: int
    town_name: str


async def grid_places(*, session: AsyncSession) -> dict[int, GridPlace]:
    """Every level-3 grid with its town, by grid id."""
    town = aliased(Grid)
    result = await session.exec(
        select(Grid.id, Grid.name, town.id, town.name)
        .join(town, col(town.id) == col(Grid.parent_id))
        .where(Grid.level == GridLevel.GRID)
    )
    return {
        grid_id: GridPlace(grid_id, grid_name, town_id, town_name)
        for grid_id, grid_name, town_id, town_name in result.all()
        if grid_id is not None and town_id is not None
    }


async def town_names(*, session: AsyncSession) -> dict[int, str]:
    result = await session.exec(select(Grid.id, Grid.name).where(Grid.level == GridLevel.TOWN))
    return {town_id: name for town_id, name in result.all() if town_id is not None}


async def person_names(*, session: AsyncSession, person_ids: Collection[int]) -> dict[int, str]:
    if not person_ids:
        return {}
    result = await session.exec(
        select(Person.id, Person.name).where(col(Person.id).in_(list(person_ids)))
    )
    return {pid: name for pid, name in result.all() if pid is not None}


async def person_places(*, session: AsyncSession) -> dict[int, set[tuple[int, int | None]]]:
    """Person id -> (town id, level-3 grid id or None) of every place they belong to: grids of
    the survey objects they keep and their live posts (a town post has no grid)."""
    places: dict[int, set[tuple[int, int | None]]] = defaultdict(set)
    kept = await session.exec(
        select(SurveyObject.statistician_id, SurveyObject.town_id, SurveyObject.grid_id)
        .where(col(SurveyObject.statistician_id).is_not(None), still_on_grid())
        .distinct()
    )
    for person_id, town_id, grid_id in kept.all():
        if person_id is not None:
            places[person_id].add((town_id, grid_id))
    posts = await session.exec(
        select(Assignment.person_id, Grid.id, Grid.level, Grid.parent_id)
        .join(Grid, col(Grid.id) == col(Assignment.grid_id))
        .where(col(Assignment.ended_at).is_(None), Grid.level != GridLevel.CITY)
    )
    for person_id, grid_id, level, parent_id in posts.all():
        if grid_id is None:
            continue
        if level == GridLevel.TOWN:
            places[person_id].add((grid_id, None))
        elif parent_id is not None:
            places[person_id].add((parent_id, grid_id))
    return dict(places)


async def grid_people_ids(*, session: AsyncSession) -> dict[int, set[int]]:
    """Level-3 grid id -> active people belonging to it (statisticians of its survey objects
    and its live staff): who is expected at the grid's activities."""
    people: dict[int, set[int]] = defaultdict(set)
    kept = await session.exec(
        select(SurveyObject.grid_id, SurveyObject.statistician_id)
        .join(Person, col(Person.id) == col(SurveyObject.statistician_id))
        .where(
            col(SurveyObject.grid_id).is_not(None), col(Person.active).is_(True), still_on_grid()
        )
        .distinct()
    )
    for grid_id, person_id in kept.all():
        if grid_id is not None and person_id is not None:
            people[grid_id].add(person_id)
    staff = await session.exec(
        select(Assignment.grid_id, Assignment.person_id)
        .join(Person, col(Person.id) == col(Assignment.person_id))
        .join(Grid, col(Grid.id) == col(Assignment.grid_id))
        .where(
            col(Assignment.ended_at).is_(None),
            col(Person.active).is_(True),
            Grid.level == GridLevel.GRID,
        )
    )
    for grid_id, person_id in staff.all():
        people[grid_id].add(person_id)
    return dict(people)


# --- Activities ------------------------------------------------------------------------------


def _activity_window(start: datetime, end: datetime) -> sa.ColumnElement[bool]:
    return sa.and_(col(Activity.starts_at) >= start, col(Activity.starts_at) < end)


async def activities_starting(
    *, session: AsyncSession, start: datetime, end: datetime
) -> list[tuple[Activity, str]]:
    """Activities (cancelled ones too) starting in [start, end), with the organiser's name,
    by start."""
    result = await session.exec(
        select(Activity, Person.name)
        .join(Person, col(Person.id) == col(Activity.organiser_id))
        .where(_activity_window(start, end))
        .order_by(col(Activity.starts_at), col(Activity.id))
    )
    return list(result.all())


async def activity_grid_ids(
    *, session: AsyncSession, start: datetime, end: datetime
) -> dict[int, list[int]]:
    """Activity id -> the level-3 grids it is for, for activities starting in [start, end)."""
    result = await session.exec(
        select(ActivityGrid.activity_id, ActivityGrid.grid_id)
        .join(Activity, col(Activity.id) == col(ActivityGrid.activity_id))
        .where(_activity_window(start, end))
    )
    grids: dict[int, list[int]] = defaultdict(list)
    for activity_id, grid_id in result.all():
        grids[activity_id].append(grid_id)
    return dict(grids)


@dataclass(frozen=True, slots=True)
class AttendanceRow:
    activity_id: int
    person_id: int
    name: str
    status: AttendanceStatus
    method: CheckinMethod | None
    checked_in_at: datetime | None
    leave_reason: str | None
    recorded_by: int | None


async def attendance_starting(
    *, session: AsyncSession, start: datetime, end: datetime
) -> list[AttendanceRow]:
    """Attendance of activities starting in [start, end), with the person's name (plain rows:
    a city's year is a hundred thousand of them)."""
    # More columns than sqlmodel's typed select takes: a Core select on the connection.
    connection = await session.connection()
    result = await connection.execute(
        sa.select(
            col(Attendance.activity_id),
            col(Attendance.person_id),
            col(Person.name),
            col(Attendance.status),
            col(Attendance.method),
            col(Attendance.checked_in_at),
            col(Attendance.leave_reason),
            col(Attendance.recorded_by),
        )
        .join(Activity, col(Activity.id) == col(Attendance.activity_id))
        .join(Person, col(Person.id) == col(Attendance.person_id))
        .where(_activity_window(start, end))
        .order_by(col(Attendance.activity_id), col(Person.name), col(Attendance.id))
    )
    return [AttendanceRow(*row) for row in result.all()]


# --- Notices ---------------------------------------------------------------------------------


def _notice_window(start: datetime, end: datetime) -> sa.ColumnElement[bool]:
    return sa.and_(col(Notice.created_at) >= start, col(Notice.created_at) < end)


async def notices_created(
    *, session: AsyncSession, start: datetime, end: datetime
) -> list[tuple[Notice, str]]:
    """Notices sent in [start, end) with the sender's name, by time."""
    result = await session.exec(
        select(Notice, Person.name)
        .join(Person, col(Person.id) == col(Notice.sender_id))
        .where(_notice_window(start, end))
        .order_by(col(Notice.created_at), col(Notice.id))
    )
    return list(result.all())


@dataclass(frozen=True, slots=True)
class ReceiptRow:
    notice_id: int
    person_id: int
    name: str
    confirmed_at: datetime | None
    reminders: int


async def notice_recipients_created(
    *, session: AsyncSession, start: datetime, end: datetime
) -> list[ReceiptRow]:
    """Recipients of notices sent in [start, end), with their names (plain rows)."""
    connection = await session.connection()
    result = await connection.execute(
        sa.select(
            col(NoticeRecipient.notice_id),
            col(NoticeRecipient.person_id),
            col(Person.name),
            col(NoticeRecipient.confirmed_at),
            col(NoticeRecipient.reminders),
        )
        .join(Notice, col(Notice.id) == col(NoticeRecipient.notice_id))
        .join(Person, col(Person.id) == col(NoticeRecipient.person_id))
        .where(_notice_window(start, end))
        .order_by(col(NoticeRecipient.notice_id), col(Person.name), col(Person.id))
    )
    return [ReceiptRow(*row) for row in result.all()]


# --- Monthly reports and hearings -------------------------------------------------------------


async def reports_of_periods(
    *, session: AsyncSession, periods: Collection[str]
) -> dict[tuple[int, str], tuple[MonthlyReport, str]]:
    """(grid id, period) -> the report and its author's name."""
    result = await session.exec(
        select(MonthlyReport, Person.name)
        .join(Person, col(Person.id) == col(MonthlyReport.author_id))
        .where(col(MonthlyReport.period).in_(list(periods)))
    )
    return {(report.grid_id, report.period): (report, name) for report, name in result.all()}


async def hearings_of_periods(
    *, session: AsyncSession, periods: Collection[str]
) -> dict[tuple[int, str], tuple[ReportHearing, str]]:
    """(town id, period) -> the hearing and who confirmed it."""
    result = await session.exec(
        select(ReportHearing, Person.name)
        .join(Person, col(Person.id) == col(ReportHearing.confirmed_by))
        .where(col(ReportHearing.period).in_(list(periods)))
    )
    return {(hearing.town_id, hearing.period): (hearing, name) for hearing, name in result.all()}


# --- Questions -------------------------------------------------------------------------------


def _question_window(start: datetime, end: datetime) -> sa.ColumnElement[bool]:
    return sa.and_(col(Question.created_at) >= start, col(Question.created_at) < end)


async def questions_created(
    *, session: AsyncSession, start: datetime, end: datetime
) -> list[tuple[Question, str]]:
    """Questions asked in [start, end) with the asker's name, by time."""
    result = await session.exec(
        select(Question, Person.name)
        .join(Person, col(Person.id) == col(Question.asker_id))
        .where(_question_window(start, end))
        .order_by(col(Question.created_at), col(Question.id))
    )
    return list(result.all())


async def first_answers(
    *, session: AsyncSession, start: datetime, end: datetime
) -> dict[int, tuple[QuestionPost, str]]:
    """Question id -> its first answer and who gave it, for questions asked in [start, end)."""
    result = await session.exec(
        select(QuestionPost, Person.name)
        .join(Question, col(Question.id) == col(QuestionPost.question_id))
        .join(Person, col(Person.id) == col(QuestionPost.author_id))
        .where(_question_window(start, end), QuestionPost.kind == "answer")
        .order_by(col(QuestionPost.created_at).desc(), col(QuestionPost.id).desc())
    )
    # Newest first, so the earliest answer of each question is written last and stays.
    return {post.question_id: (post, name) for post, name in result.all()}
