"""Query functions for continuing education: study records, hours per person and year, and who
counts as a grid member for the yearly target (statisticians and level-3 grid staff)."""

from collections.abc import Collection, Sequence
from datetime import date
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.duties import person_target, unclaimed
from models.enums import GRID_STAFF_ROLES, GridLevel, Role
from models.tables import Assignment, Grid, Person, StudyRecord, SurveyObject, still_on_grid

SOURCE_SELF = "self"
SOURCE_IMPORT = "import"


async def _execute(session: AsyncSession, statement: sa.Executable, params: Any = None) -> Any:
    # Column selects and upserts run on the session's connection (same transaction): sqlmodel's
    # session.execute is deprecated and its typed select() stops at four columns.
    await session.flush()
    connection = await session.connection()
    return await connection.execute(statement, params)


async def add_study_record(
    *, session: AsyncSession, person_id: int, studied_on: date, topic: str, hours: float
) -> StudyRecord:
    """Record hours a member entered themselves (/study); the caller commits."""
    record = StudyRecord(
        person_id=person_id, studied_on=studied_on, topic=topic, hours=hours, source=SOURCE_SELF
    )
    session.add(record)
    await session.flush()
    return record


async def hours_by_person(
    *, session: AsyncSession, year: int, person_ids: Collection[int] | None = None
) -> dict[int, float]:
    """Hours recorded in calendar year `year`, per person (people with none are left out)."""
    statement = (
        sa.select(col(StudyRecord.person_id), sa.func.sum(col(StudyRecord.hours)))
        .where(
            col(StudyRecord.studied_on) >= date(year, 1, 1),
            col(StudyRecord.studied_on) <= date(year, 12, 31),
        )
        .group_by(col(StudyRecord.person_id))
    )
    if person_ids is not None:
        if not person_ids:
            return {}
        statement = statement.where(col(StudyRecord.person_id).in_(list(person_ids)))
    rows = (await _execute(session, statement)).all()
    return {person_id: float(total or 0) for person_id, total in rows}


async def hours_by_day(
    *, session: AsyncSession, person_ids: Collection[int], days: Collection[date]
) -> dict[tuple[int, date], float]:
    """Hours recorded per (person, day), for these people on these days (none: left out)."""
    if not person_ids or not days:
        return {}
    statement = (
        sa.select(
            col(StudyRecord.person_id),
            col(StudyRecord.studied_on),
            sa.func.sum(col(StudyRecord.hours)),
        )
        .where(
            col(StudyRecord.person_id).in_(list(person_ids)),
            col(StudyRecord.studied_on).in_(list(days)),
        )
        .group_by(col(StudyRecord.person_id), col(StudyRecord.studied_on))
    )
    rows = (await _execute(session, statement)).all()
    return {(person_id, day): float(total or 0) for person_id, day, total in rows}


async def recent_records(
    *, session: AsyncSession, person_id: int, year: int, limit: int
) -> list[StudyRecord]:
    """The person's latest records of `year`, newest first."""
    statement = (
        select(StudyRecord)
        .where(
            StudyRecord.person_id == person_id,
            col(StudyRecord.studied_on) >= date(year, 1, 1),
            col(StudyRecord.studied_on) <= date(year, 12, 31),
        )
        .order_by(col(StudyRecord.studied_on).desc(), col(StudyRecord.id).desc())
        .limit(limit)
    )
    return list((await session.exec(statement)).all())


async def active_people_by_mobile(
    *, session: AsyncSession, mobiles: Collection[str]
) -> dict[str, Person]:
    if not mobiles:
        return {}
    statement = select(Person).where(col(Person.mobile).in_(list(mobiles)), col(Person.active))
    return {person.mobile: person for person in (await session.exec(statement)).all()}


async def existing_study_keys(
    *, session: AsyncSession, person_ids: Collection[int]
) -> set[tuple[int, date, str]]:
    """(person, day, topic) of every record of these people, whatever its source: an import
    skips a row the member already recorded themselves."""
    if not person_ids:
        return set()
    statement = sa.select(
        col(StudyRecord.person_id), col(StudyRecord.studied_on), col(StudyRecord.topic)
    ).where(col(StudyRecord.person_id).in_(list(person_ids)))
    return {(row[0], row[1], row[2]) for row in (await _execute(session, statement)).all()}


async def insert_imported(
    *, session: AsyncSession, rows: Sequence[tuple[int, date, str, float]]
) -> int:
    """Insert imported (person, day, topic, hours) rows, skipping any already imported; returns
    how many were new. The caller commits."""
    if not rows:
        return 0
    connection = await session.connection()
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(StudyRecord)
        .on_conflict_do_nothing(
            index_elements=[
                col(StudyRecord.person_id),
                col(StudyRecord.studied_on),
                col(StudyRecord.topic),
            ],
            index_where=col(StudyRecord.source) == SOURCE_IMPORT,
        )
        .returning(col(StudyRecord.id))
    )
    params = [
        StudyRecord(
            person_id=person_id, studied_on=day, topic=topic, hours=hours, source=SOURCE_IMPORT
        ).model_dump(exclude={"id"})
        for person_id, day, topic, hours in rows
    ]
    inserted = 0
    for param in params:
        result = await _execute(session, statement, param)
        inserted += len(result.all())
    return inserted


class GridMembership(NamedTuple):
    """A person who counts as a member of a level-3 grid for continuing education (a named
    tuple: the education duty reads one per member of the city)."""

    town_id: int
    town_name: str
    grid_id: int
    grid_name: str
    person_id: int
    person_name: str
    # The staff role held on the grid; None for an enterprise statistician (网格员).
    role: Role | None


async def grid_memberships(
    *, session: AsyncSession, town_ids: Collection[int] | None = None
) -> list[GridMembership]:
    """Statisticians of each level-3 grid's enterprises and its live staff, active people only;
    a person appears once per grid (as staff if they are both; a statistician keeping several
    of a grid's enterprises comes back once per enterprise and is kept once)."""
    town = aliased(Grid)
    grid_filter = [col(Grid.level) == GridLevel.GRID]
    if town_ids is not None:
        if not town_ids:
            return []
        grid_filter.append(col(Grid.parent_id).in_(list(town_ids)))
    staff = (
        sa.select(
            col(town.id),
            col(town.name),
            col(Grid.id),
            col(Grid.name),
            col(Person.id),
            col(Person.name),
            col(Assignment.role),
        )
        .join(Assignment, col(Assignment.grid_id) == col(Grid.id))
        .join(Person, col(Person.id) == col(Assignment.person_id))
        .join(town, col(town.id) == col(Grid.parent_id))
        .where(
            *grid_filter,
            col(Assignment.ended_at).is_(None),
            col(Assignment.role).in_(list(GRID_STAFF_ROLES)),
            col(Person.active),
        )
    )
    statisticians = (
        sa.select(
            col(town.id),
            col(town.name),
            col(Grid.id),
            col(Grid.name),
            col(Person.id),
            col(Person.name),
        )
        .join(SurveyObject, col(SurveyObject.grid_id) == col(Grid.id))
        .join(Person, col(Person.id) == col(SurveyObject.statistician_id))
        .join(town, col(town.id) == col(Grid.parent_id))
        .where(*grid_filter, col(Person.active), still_on_grid())
    )
    found: dict[tuple[int, int], GridMembership] = {}
    for row in (await _execute(session, staff)).all():
        key = (row[2], row[4])
        if key not in found:
            found[key] = _membership(row, role=row[6])
    for row in (await _execute(session, statisticians)).all():
        found.setdefault((row[2], row[4]), _membership(row, role=None))
    return sorted(found.values(), key=lambda m: (m.town_name, m.grid_name, m.person_name))


def _membership(row: Any, *, role: Role | None) -> GridMembership:
    return GridMembership(row[0], row[1], row[2], row[3], row[4], row[5], role)


def _level3_staff_ids(roles: Collection[Role], not_claimed: sa.ColumnElement[bool]) -> Any:
    """Ids of active people holding one of `roles` on a level-3 grid, meeting `not_claimed`."""
    return (
        sa.select(col(Person.id))
        .join(Assignment, col(Assignment.person_id) == col(Person.id))
        .join(Grid, col(Grid.id) == col(Assignment.grid_id))
        .where(
            col(Grid.level) == GridLevel.GRID,
            col(Assignment.ended_at).is_(None),
            col(Assignment.role).in_(list(roles)),
            col(Person.active),
            not_claimed,
        )
    )


def _unclaimed(unclaimed_in: tuple[str, str, str]) -> sa.ColumnElement[bool]:
    duty, period, step = unclaimed_in
    return unclaimed(duty=duty, period=period, step=step, target=person_target(col(Person.id)))


async def grid_member_ids(*, session: AsyncSession, unclaimed_in: tuple[str, str, str]) -> set[int]:
    """Ids of the people `grid_memberships` lists (anywhere in the city) whose reminder
    "person:<id>" of (duty, period, step) `unclaimed_in` is not claimed yet: ids only, so that a
    sweep after everyone was reminded reads an empty result instead of the whole city."""
    not_claimed = _unclaimed(unclaimed_in)
    statisticians = (
        sa.select(col(Person.id))
        .join(SurveyObject, col(SurveyObject.statistician_id) == col(Person.id))
        .join(Grid, col(Grid.id) == col(SurveyObject.grid_id))
        .where(col(Grid.level) == GridLevel.GRID, col(Person.active), still_on_grid(), not_claimed)
    )
    found: set[int] = set()
    for statement in (_level3_staff_ids(GRID_STAFF_ROLES, not_claimed), statisticians):
        found.update((await _execute(session, statement)).scalars().all())
    return found


async def grid_instructor_ids(
    *, session: AsyncSession, unclaimed_in: tuple[str, str, str]
) -> set[int]:
    """Live 网格指导员s of level-3 grids (active people) whose reminder "person:<id>" of
    (duty, period, step) `unclaimed_in` is not claimed yet."""
    statement = _level3_staff_ids([Role.INSTRUCTOR], _unclaimed(unclaimed_in))
    return set((await _execute(session, statement)).scalars().all())


async def is_grid_member(*, session: AsyncSession, person_id: int) -> bool:
    """Whether the person keeps an enterprise's statistics or staffs a level-3 grid."""
    keeps = sa.select(col(SurveyObject.id)).where(
        col(SurveyObject.statistician_id) == person_id,
        col(SurveyObject.grid_id).is_not(None),
        still_on_grid(),
    )
    staffs = (
        sa.select(col(Assignment.id))
        .join(Grid, col(Grid.id) == col(Assignment.grid_id))
        .where(
            col(Assignment.person_id) == person_id,
            col(Assignment.ended_at).is_(None),
            col(Assignment.role).in_(list(GRID_STAFF_ROLES)),
            col(Grid.level) == GridLevel.GRID,
        )
    )
    statement = sa.select(sa.or_(sa.exists(keeps), sa.exists(staffs)))
    return bool((await _execute(session, statement)).scalar())
