"""Level-3 grids and their members, whom every scorecard query counts, and the helpers the
queries share.

A grid's members are, as for continuing education, the active statisticians of its survey
objects and its live staff (网格长, 副网格长, 网格指导员); a person may belong to several grids
and then counts in each. Every function reads aggregates or narrow rows, so a whole city's
year stays cheap (see bench/oversight.py).
"""

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import GRID_STAFF_ROLES, GridLevel
from models.tables import Assignment, Grid, Person, SurveyObject, still_on_grid


async def fetch_all(session: AsyncSession, statement: sa.Executable) -> list[Any]:
    # Column selects run on the session's connection (same transaction): sqlmodel's typed
    # select() stops at four columns.
    await session.flush()
    connection = await session.connection()
    return list((await connection.execute(statement)).all())


def only_grids(statement: Any, column: Any, grid_ids: Collection[int] | None) -> Any:
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
    return [GridRow(*row) for row in await fetch_all(session, statement)]


def grid_members() -> sa.Subquery:
    """(grid_id, person_id) of every level-3 grid member, each pair once."""
    statisticians: sa.Select[*tuple[Any, ...]] = (
        sa.select(
            col(SurveyObject.grid_id).label("grid_id"),
            col(SurveyObject.statistician_id).label("person_id"),
        )
        .join(Person, col(Person.id) == col(SurveyObject.statistician_id))
        .where(col(SurveyObject.grid_id).is_not(None), col(Person.active), still_on_grid())
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
    members = grid_members()
    statement = (
        sa.select(
            members.c.grid_id,
            sa.func.count(),
            sa.func.count(col(Person.unreachable_at)),
        )
        .join(Person, col(Person.id) == members.c.person_id)
        .group_by(members.c.grid_id)
    )
    statement = only_grids(statement, members.c.grid_id, grid_ids)
    return {
        grid_id: MemberCounts(total, unreachable)
        for grid_id, total, unreachable in await fetch_all(session, statement)
    }


async def grids_of_person(*, session: AsyncSession, person_id: int) -> list[GridRow]:
    """The level-3 grids a person belongs to (keeps statistics in or staffs)."""
    members = grid_members()
    town = aliased(Grid)
    statement = (
        sa.select(col(Grid.id), col(Grid.name), col(town.id), col(town.name))
        .join(members, members.c.grid_id == col(Grid.id))
        .join(town, col(town.id) == col(Grid.parent_id))
        .where(members.c.person_id == person_id)
        .order_by(col(town.name), col(Grid.name))
    )
    return [GridRow(*row) for row in await fetch_all(session, statement)]
