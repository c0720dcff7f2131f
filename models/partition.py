"""The bulk reads and writes of `gridbot grids partition`: every grid, survey object and open
level-3 assignment as plain rows, and the writes of one run in a few statements."""

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from models.db import select_rows
from models.enums import GRID_STAFF_ROLES, GridLevel, Industry, Role
from models.tables import Assignment, Grid, Person, SurveyObject

# Any constant works as long as nothing else takes the same PostgreSQL advisory lock.
_PARTITION_LOCK_KEY = 0x6772_6964  # "grid"


@dataclass(frozen=True, slots=True)
class GridSlot:
    """A grid of any level as the partition planner sees it."""

    id: int
    level: GridLevel
    name: str
    parent_id: int | None
    industry: Industry | None = None
    seq: int | None = None
    cross_town: bool = False


@dataclass(frozen=True, slots=True)
class SurveyObjectSlot:
    """Where a survey object sits: its town, its level-3 grid (None = unplaced), statistician."""

    id: int
    uscc: str
    industry: Industry
    town_id: int
    grid_id: int | None = None
    statistician_id: int | None = None


@dataclass(frozen=True, slots=True)
class StaffSlot:
    """A non-ended level-3 staff assignment; on a town grid it awaits placement."""

    assignment_id: int
    person_id: int
    person_name: str
    role: Role
    grid_id: int
    explicit: bool = False


@dataclass(frozen=True, slots=True)
class NewGridRow:
    name: str
    parent_id: int
    industry: Industry | None
    seq: int
    cross_town: bool


async def lock_partition(*, session: AsyncSession) -> None:
    """Serialise partition runs on PostgreSQL until the transaction ends.

    SQLite already allows only one writer, and a stale reader fails rather than overwrites.
    """
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        await connection.execute(sa.select(sa.func.pg_advisory_xact_lock(_PARTITION_LOCK_KEY)))


async def grid_slots(*, session: AsyncSession) -> list[GridSlot]:
    """Every grid of every level."""
    statement = sa.select(
        col(Grid.id),
        col(Grid.level),
        col(Grid.name),
        col(Grid.parent_id),
        col(Grid.industry),
        col(Grid.seq),
        col(Grid.cross_town),
    )
    return [GridSlot(*row) for row in await select_rows(session, statement)]


async def survey_object_slots(*, session: AsyncSession) -> list[SurveyObjectSlot]:
    """Every survey object's town, grid and statistician."""
    statement = sa.select(
        col(SurveyObject.id),
        col(SurveyObject.uscc),
        col(SurveyObject.industry),
        col(SurveyObject.town_id),
        col(SurveyObject.grid_id),
        col(SurveyObject.statistician_id),
    )
    return [SurveyObjectSlot(*row) for row in await select_rows(session, statement)]


async def open_staff_slots(*, session: AsyncSession) -> list[StaffSlot]:
    """Non-ended assignments of level-3 staff roles, wherever they sit."""
    statement = (
        sa.select(
            col(Assignment.id),
            col(Assignment.person_id),
            col(Person.name),
            col(Assignment.role),
            col(Assignment.grid_id),
            col(Assignment.explicit),
        )
        .join(Person, col(Person.id) == col(Assignment.person_id))
        .where(
            col(Assignment.ended_at).is_(None),
            col(Assignment.role).in_(sorted(GRID_STAFF_ROLES)),
        )
    )
    return [StaffSlot(*row) for row in await select_rows(session, statement)]


async def insert_level3_grids(
    *,
    session: AsyncSession,
    grids: Sequence[NewGridRow],
    created_at: datetime,
    started_on: date | None = None,
) -> dict[str, int]:
    """Insert level-3 grids in one statement (judged from `started_on`; None: from the city's
    go-live); returns their ids by name."""
    if not grids:
        return {}
    params = [
        {
            "level": GridLevel.GRID,
            "name": grid.name,
            "parent_id": grid.parent_id,
            "industry": grid.industry,
            "seq": grid.seq,
            "cross_town": grid.cross_town,
            "created_at": created_at,
            "started_on": started_on,
        }
        for grid in grids
    ]
    result = await session.exec(
        sa.insert(Grid).returning(col(Grid.id), col(Grid.name)), params=params
    )
    return {name: grid_id for grid_id, name in result.all()}


async def set_grid_kinds(
    *, session: AsyncSession, kinds: Mapping[int, tuple[Industry | None, bool]]
) -> None:
    """Bulk-update (industry, cross_town) of existing grids by id."""
    if kinds:
        params = [
            {"id": grid_id, "industry": industry, "cross_town": cross_town}
            for grid_id, (industry, cross_town) in kinds.items()
        ]
        await session.exec(sa.update(Grid), params=params)


async def place_survey_objects(*, session: AsyncSession, grid_by_object: Mapping[int, int]) -> None:
    """Bulk-set survey_object.grid_id by primary key (one executemany)."""
    if grid_by_object:
        params = [
            {"id": object_id, "grid_id": grid_id} for object_id, grid_id in grid_by_object.items()
        ]
        await session.exec(sa.update(SurveyObject), params=params)


async def add_grid_staff(
    *, session: AsyncSession, staff: Sequence[tuple[int, int, Role]], started_at: datetime
) -> None:
    """Insert non-explicit assignments from (person_id, grid_id, role) triples."""
    if staff:
        params = [
            {
                "person_id": person_id,
                "grid_id": grid_id,
                "role": role,
                "explicit": False,
                "started_at": started_at,
                "ended_at": None,
            }
            for person_id, grid_id, role in staff
        ]
        await session.exec(sa.insert(Assignment), params=params)


async def end_assignments(
    *, session: AsyncSession, assignment_ids: Collection[int], ended_at: datetime
) -> None:
    """Set ended_at on the given assignments."""
    if assignment_ids:
        params = [{"id": assignment_id, "ended_at": ended_at} for assignment_id in assignment_ids]
        await session.exec(sa.update(Assignment), params=params)
