"""Query functions for monthly grid reports, the town's hearing of them, and what the duties
need to know about grids: who holds which role, activities per grid in a window, open
questions and unconfirmed notices of a grid's members."""

from collections.abc import Collection
from datetime import datetime
from typing import NamedTuple, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import AttendanceStatus, GridLevel, QuestionStatus, Role
from models.scorecards.engagement import activity_kinds
from models.tables import (
    Activity,
    ActivityGrid,
    Assignment,
    Attendance,
    Grid,
    MonthlyReport,
    NoticeRecipient,
    Person,
    Question,
    ReportHearing,
    SurveyObject,
)

# --- Reports ---------------------------------------------------------------------------------


async def report_by_id(*, session: AsyncSession, report_id: int) -> MonthlyReport | None:
    return await session.get(MonthlyReport, report_id)


async def report_for(*, session: AsyncSession, grid_id: int, period: str) -> MonthlyReport | None:
    result = await session.exec(
        select(MonthlyReport).where(
            MonthlyReport.grid_id == grid_id, MonthlyReport.period == period
        )
    )
    return result.first()


async def upsert_report(*, session: AsyncSession, report: MonthlyReport) -> int:
    """Insert the report, or replace the grid's report of the period; returns its id.

    ON CONFLICT DO UPDATE: two simultaneous submissions for one grid end with one row.
    """
    connection = await session.connection()
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    values = report.model_dump(exclude={"id"})
    insert = dialect.insert(MonthlyReport).values(**values)
    statement = insert.on_conflict_do_update(
        index_elements=[col(MonthlyReport.grid_id), col(MonthlyReport.period)],
        set_={k: v for k, v in values.items() if k not in ("grid_id", "period")},
    ).returning(col(MonthlyReport.id))
    row = (await session.exec(statement)).one()
    return int(row[0])


async def reports_for_period(
    *, session: AsyncSession, period: str, grid_ids: Collection[int] | None = None
) -> dict[int, tuple[MonthlyReport, Person]]:
    """Grid id -> its report of the period and the author (all grids when `grid_ids` is None)."""
    statement = (
        select(MonthlyReport, Person)
        .join(Person, col(Person.id) == col(MonthlyReport.author_id))
        .where(MonthlyReport.period == period)
    )
    if grid_ids is not None:
        statement = statement.where(col(MonthlyReport.grid_id).in_(list(grid_ids)))
    return {report.grid_id: (report, author) for report, author in (await session.exec(statement))}


# --- Hearings --------------------------------------------------------------------------------


async def insert_hearing(
    *, session: AsyncSession, town_id: int, period: str, person_id: int, now: datetime
) -> bool:
    """Record the hearing unless one is recorded already; True if this call recorded it."""
    connection = await session.connection()
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(ReportHearing)
        .values(town_id=town_id, period=period, confirmed_by=person_id, confirmed_at=now)
        .on_conflict_do_nothing(
            index_elements=[col(ReportHearing.town_id), col(ReportHearing.period)]
        )
        .returning(col(ReportHearing.id))
    )
    return (await session.exec(statement)).first() is not None


async def hearings_for_period(
    *, session: AsyncSession, period: str, town_ids: Collection[int] | None = None
) -> dict[int, tuple[ReportHearing, Person]]:
    """Town id -> its hearing of the period and who confirmed it."""
    statement = (
        select(ReportHearing, Person)
        .join(Person, col(Person.id) == col(ReportHearing.confirmed_by))
        .where(ReportHearing.period == period)
    )
    if town_ids is not None:
        statement = statement.where(col(ReportHearing.town_id).in_(list(town_ids)))
    return {hearing.town_id: (hearing, person) for hearing, person in await session.exec(statement)}


# --- Grids and who holds which role -------------------------------------------------------------


async def towns_by_ids(*, session: AsyncSession, town_ids: Collection[int] | None) -> list[Grid]:
    """Level-2 grids, by name (all of them when `town_ids` is None)."""
    statement = select(Grid).where(Grid.level == GridLevel.TOWN)
    if town_ids is not None:
        statement = statement.where(col(Grid.id).in_(list(town_ids)))
    return list((await session.exec(statement.order_by(col(Grid.name)))).all())


class Holder(NamedTuple):
    """A role holder as the duties see them: who (id) and the name to print."""

    id: int
    name: str


async def role_holder_refs(
    *, session: AsyncSession, roles: Collection[Role]
) -> list[tuple[Role, int, Holder]]:
    """Live holders of `roles` anywhere as plain rows, (role, grid id, holder), active people
    only, by name: the duties read every 网格长 and 指导员 of the city on each sweep."""
    statement = (
        sa.select(col(Assignment.role), col(Assignment.grid_id), col(Person.id), col(Person.name))
        .join(Person, col(Person.id) == col(Assignment.person_id))
        .where(
            col(Assignment.role).in_(list(roles)),
            col(Assignment.ended_at).is_(None),
            col(Person.active).is_(True),
        )
        .order_by(col(Person.name), col(Person.id), col(Assignment.grid_id))
    )
    connection = await session.connection()
    return [
        (Role(role), grid_id, Holder(cast(int, person_id), name))
        for role, grid_id, person_id, name in (await connection.execute(statement)).all()
    ]


async def role_holders(
    *, session: AsyncSession, roles: Collection[Role], grid_ids: Collection[int] | None = None
) -> list[tuple[Role, int, Person]]:
    """Live holders of `roles` (on `grid_ids`, or anywhere): (role, grid id, person), active
    people only, by name."""
    statement = (
        select(Assignment, Person)
        .join(Person, col(Person.id) == col(Assignment.person_id))
        .where(
            col(Assignment.role).in_(list(roles)),
            col(Assignment.ended_at).is_(None),
            col(Person.active).is_(True),
        )
    )
    if grid_ids is not None:
        statement = statement.where(col(Assignment.grid_id).in_(list(grid_ids)))
    rows = [(Role(a.role), a.grid_id, p) for a, p in await session.exec(statement)]
    rows.sort(key=lambda row: (row[2].name, row[2].id or 0, row[1]))
    return rows


# --- What a grid did and what is open in it ---------------------------------------------------


async def activity_counts(
    *, session: AsyncSession, start: datetime, end: datetime
) -> dict[int, int]:
    """Level-3 grid id -> uncancelled activities for it starting in [start, end) (grids with
    none are left out): `activity_kinds`' definition, summed over kinds."""
    return {
        grid_id: sum(kinds.values())
        for grid_id, kinds in (await activity_kinds(session=session, start=start, end=end)).items()
    }


async def grid_activities(
    *, session: AsyncSession, grid_id: int, start: datetime, end: datetime
) -> list[Activity]:
    """Uncancelled activities of the grid starting in [start, end), by start."""
    for_grid = select(ActivityGrid.activity_id).where(ActivityGrid.grid_id == grid_id)
    result = await session.exec(
        select(Activity)
        .where(
            col(Activity.id).in_(for_grid),
            col(Activity.cancelled_at).is_(None),
            col(Activity.starts_at) >= start,
            col(Activity.starts_at) < end,
        )
        .order_by(col(Activity.starts_at), col(Activity.id))
    )
    return list(result.all())


async def attendance_counts(
    *, session: AsyncSession, activity_ids: Collection[int]
) -> dict[int, dict[AttendanceStatus, int]]:
    """Activity id -> how many checked in and how many are on leave (every id is a key)."""
    counts: dict[int, dict[AttendanceStatus, int]] = {
        activity_id: dict.fromkeys(AttendanceStatus, 0) for activity_id in activity_ids
    }
    if not counts:
        return counts
    statement = (
        sa.select(col(Attendance.activity_id), col(Attendance.status), sa.func.count())
        .where(col(Attendance.activity_id).in_(list(counts)))
        .group_by(col(Attendance.activity_id), col(Attendance.status))
    )
    connection = await session.connection()
    for activity_id, status, count in (await connection.execute(statement)).all():
        counts[activity_id][AttendanceStatus(status)] = count
    return counts


async def open_questions(*, session: AsyncSession, grid_id: int) -> list[Question]:
    """Questions filed in the grid still waiting for an answer, oldest first."""
    result = await session.exec(
        select(Question)
        .where(Question.grid_id == grid_id, Question.status == QuestionStatus.OPEN)
        .order_by(col(Question.created_at), col(Question.id))
    )
    return list(result.all())


async def unconfirmed_notices_of_members(
    *, session: AsyncSession, grid_id: int
) -> list[tuple[Person, int]]:
    """Statisticians of the grid's survey objects with notices they have not confirmed, and
    how many, by name."""
    members = select(SurveyObject.statistician_id).where(SurveyObject.grid_id == grid_id)
    statement = (
        sa.select(col(Person.id), sa.func.count())
        .select_from(NoticeRecipient)
        .join(Person, col(Person.id) == col(NoticeRecipient.person_id))
        .where(
            col(NoticeRecipient.person_id).in_(members),
            col(NoticeRecipient.confirmed_at).is_(None),
            col(Person.active).is_(True),
        )
        .group_by(col(Person.id))
    )
    connection = await session.connection()
    counts = dict((await connection.execute(statement)).all())
    if not counts:
        return []
    people = await session.exec(select(Person).where(col(Person.id).in_(list(counts))))
    rows = [(person, int(counts[person.id])) for person in people.all()]
    rows.sort(key=lambda row: (row[0].name, row[0].id or 0))
    return rows
