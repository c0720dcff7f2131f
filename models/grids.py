"""Grid queries: look-ups of grids of every level, the members and staff of level-3 grids,
and the order in which level-3 grids are listed."""

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.db import select_rows
from models.enums import GridLevel, Industry, Role
from models.tables import Assignment, Grid, Person, SurveyObject, TelegramBinding

INDUSTRY_ORDER: Mapping[Industry, int] = {industry: i for i, industry in enumerate(Industry)}
ROLE_ORDER: Mapping[Role, int] = {role: i for i, role in enumerate(Role)}
# The kind part of level-3 grid names: `{town}·{label}网格{seq}`.
CROSS_INDUSTRY_LABEL = "综合"
CROSS_TOWN_LABEL = "跨区域"
GRID_KIND_LABELS = (
    *(industry.value for industry in Industry),
    CROSS_INDUSTRY_LABEL,
    CROSS_TOWN_LABEL,
)


def grid_order_key(*, name: str, seq: int | None) -> tuple[int, str, int, str]:
    """How level-3 grids of a town are listed: by the kind their name gives (industries in
    Industry order, then 综合, then 跨区域), then seq.

    The name, not the industry column, decides so that a grid keeps its place when it later
    becomes cross-industry.
    """
    prefix = name.removesuffix(str(seq)) if seq is not None else name
    kind = next(
        (i for i, label in enumerate(GRID_KIND_LABELS) if prefix.endswith(f"{label}网格")),
        len(GRID_KIND_LABELS),
    )
    return (kind, prefix, seq if seq is not None else 0, name)


def _grid_key(grid: Grid) -> tuple[int, str, int, str]:
    return grid_order_key(name=grid.name, seq=grid.seq)


# --- Grid look-ups -------------------------------------------------------------------------


async def city_grid(*, session: AsyncSession) -> Grid | None:
    """The level-1 grid (the city), if the roster created one."""
    result = await session.exec(
        select(Grid).where(Grid.level == GridLevel.CITY).order_by(col(Grid.id))
    )
    return result.first()


async def towns(*, session: AsyncSession) -> list[Grid]:
    """Level-2 grids (towns and streets), by name."""
    result = await session.exec(
        select(Grid).where(Grid.level == GridLevel.TOWN).order_by(col(Grid.name))
    )
    return list(result.all())


async def level3_grids(
    *, session: AsyncSession, town_ids: Collection[int] | None = None
) -> list[Grid]:
    """Level-3 grids, optionally only those whose parent is one of `town_ids`.

    Ordered by parent id, then industry (cross-industry last) and seq.
    """
    statement = select(Grid).where(Grid.level == GridLevel.GRID)
    if town_ids is not None:
        statement = statement.where(col(Grid.parent_id).in_(list(town_ids)))
    grids = (await session.exec(statement)).all()
    return sorted(grids, key=lambda g: (g.parent_id or 0, _grid_key(g)))


class GridRef(NamedTuple):
    """A level-3 grid as the duties read it on every sweep: a row, not an ORM object."""

    id: int
    name: str
    parent_id: int


async def level3_grid_refs(*, session: AsyncSession) -> list[GridRef]:
    """Every level-3 grid as a plain row, in `level3_grids`' order."""
    statement = sa.select(col(Grid.id), col(Grid.name), col(Grid.parent_id), col(Grid.seq)).where(
        col(Grid.level) == GridLevel.GRID
    )
    rows = await select_rows(session, statement)
    rows.sort(key=lambda r: (r[2] or 0, grid_order_key(name=r[1], seq=r[3])))
    return [GridRef(grid_id, name, parent_id or 0) for grid_id, name, parent_id, _seq in rows]


async def grid_by_id(*, session: AsyncSession, grid_id: int) -> Grid | None:
    return await session.get(Grid, grid_id)


async def grids_by_ids(*, session: AsyncSession, grid_ids: Collection[int]) -> dict[int, Grid]:
    """Grids by id, in one query."""
    if not grid_ids:
        return {}
    result = await session.exec(select(Grid).where(col(Grid.id).in_(list(grid_ids))))
    return {g.id: g for g in result.all() if g.id is not None}


async def grid_by_name(*, session: AsyncSession, name: str) -> Grid | None:
    """The grid of any level with exactly this name (names are unique)."""
    return (await session.exec(select(Grid).where(Grid.name == name))).first()


async def grids_covering(*, session: AsyncSession, person_id: int) -> list[Grid]:
    """Level-3 grids a person works in: as current staff, or as statistician of a member."""
    staffed = select(Assignment.grid_id).where(
        Assignment.person_id == person_id, col(Assignment.ended_at).is_(None)
    )
    member_of = select(SurveyObject.grid_id).where(SurveyObject.statistician_id == person_id)
    statement = select(Grid).where(
        Grid.level == GridLevel.GRID,
        sa.or_(col(Grid.id).in_(staffed), col(Grid.id).in_(member_of)),
    )
    grids = (await session.exec(statement)).all()
    return sorted(grids, key=lambda g: g.name)


# --- Members and staff of grids (for the bot's /grid views) --------------------------------


@dataclass(frozen=True, slots=True)
class GridMemberRow:
    """A survey object of a grid with the person who keeps its statistics."""

    survey_object_id: int
    name: str
    uscc: str
    industry: Industry
    statistician_id: int | None
    statistician_name: str | None
    statistician_mobile: str | None
    # True when the statistician has a live Telegram binding.
    bound: bool


async def grid_members(*, session: AsyncSession, grid_id: int) -> list[GridMemberRow]:
    """The survey objects of one grid, by name, with statistician name, mobile and binding."""
    live_binding = sa.and_(
        col(TelegramBinding.person_id) == col(Person.id), col(TelegramBinding.ended_at).is_(None)
    )
    # At most one live binding per person (unique partial index), so the outer join
    # cannot duplicate rows.
    statement = (
        sa.select(
            col(SurveyObject.id),
            col(SurveyObject.name),
            col(SurveyObject.uscc),
            col(SurveyObject.industry),
            col(SurveyObject.statistician_id),
            col(Person.name),
            col(Person.mobile),
            col(TelegramBinding.id),
        )
        .outerjoin(Person, col(Person.id) == col(SurveyObject.statistician_id))
        .outerjoin(TelegramBinding, live_binding)
        .where(col(SurveyObject.grid_id) == grid_id)
        .order_by(col(SurveyObject.name), col(SurveyObject.uscc))
    )
    return [
        GridMemberRow(
            survey_object_id=row[0],
            name=row[1],
            uscc=row[2],
            industry=row[3],
            statistician_id=row[4],
            statistician_name=row[5],
            statistician_mobile=row[6],
            bound=row[7] is not None,
        )
        for row in await select_rows(session, statement)
    ]


async def survey_object_counts(*, session: AsyncSession, grid_ids: Iterable[int]) -> dict[int, int]:
    """How many survey objects each level-3 grid holds (0 for an empty grid)."""
    ids = list(dict.fromkeys(grid_ids))
    counts = dict.fromkeys(ids, 0)
    if ids:
        statement = (
            sa.select(col(SurveyObject.grid_id), sa.func.count())
            .where(col(SurveyObject.grid_id).in_(ids))
            .group_by(col(SurveyObject.grid_id))
        )
        counts.update({grid_id: count for grid_id, count in await select_rows(session, statement)})
    return counts


async def grid_staff(
    *, session: AsyncSession, grid_ids: Iterable[int]
) -> dict[int, list[tuple[Role, Person]]]:
    """Current (non-ended) staff of each grid, by role order then name.

    Every requested grid id is a key, with an empty list when the grid has no staff.
    """
    ids = list(dict.fromkeys(grid_ids))
    staff: dict[int, list[tuple[Role, Person]]] = {grid_id: [] for grid_id in ids}
    if not ids:
        return staff
    statement = (
        select(Assignment, Person)
        .join(Person, col(Person.id) == col(Assignment.person_id))
        .where(col(Assignment.grid_id).in_(ids), col(Assignment.ended_at).is_(None))
    )
    for assignment, person in (await session.exec(statement)).all():
        staff[assignment.grid_id].append((assignment.role, person))
    for rows in staff.values():
        rows.sort(key=lambda row: (ROLE_ORDER[row[0]], row[1].name, row[1].id or 0))
    return staff


class JudgingStarts(NamedTuple):
    """The judged-from dates as stored (Grid.started_on): the city's go-live date, and the
    towns' and level-3 grids' own (None: there since go-live)."""

    go_live: date | None
    towns: dict[int, date | None]
    # Level-3 grid id -> (its town, its own date).
    grids: dict[int, tuple[int, date | None]]


async def judging_starts(*, session: AsyncSession) -> JudgingStarts:
    """Every grid's stored judged-from date, in one query."""
    statement = sa.select(col(Grid.id), col(Grid.level), col(Grid.parent_id), col(Grid.started_on))
    go_live: date | None = None
    towns: dict[int, date | None] = {}
    grids: dict[int, tuple[int, date | None]] = {}
    for grid_id, level, parent_id, started_on in await select_rows(session, statement):
        if level == GridLevel.CITY:
            if started_on is not None and (go_live is None or started_on > go_live):
                go_live = started_on
        elif level == GridLevel.TOWN:
            towns[grid_id] = started_on
        else:
            grids[grid_id] = (parent_id or 0, started_on)
    return JudgingStarts(go_live, towns, grids)


async def set_go_live(*, session: AsyncSession, day: date) -> int:
    """Record `day` as the city's go-live date; returns how many city rows were changed (0: no
    roster imported yet)."""
    result = await session.exec(
        sa.update(Grid).where(col(Grid.level) == GridLevel.CITY).values(started_on=day)
    )
    return int(result.rowcount or 0)
