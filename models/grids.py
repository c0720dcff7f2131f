"""Grid tree queries: level-3 grids, their members and staff, the whole tree with counts, and the
bulk reads and writes the partition needs."""

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import GRID_STAFF_ROLES, GridLevel, Industry, Role
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

# Any constant works as long as nothing else takes the same PostgreSQL advisory lock.
_PARTITION_LOCK_KEY = 0x6772_6964  # "grid"


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


async def _rows(session: AsyncSession, statement: sa.Select[*tuple[Any, ...]]) -> list[Any]:
    # Wide column selects go through the session's connection (same transaction) because
    # sqlmodel's typed select() stops at four columns; flush first so pending ORM rows count.
    await session.flush()
    connection = await session.connection()
    return list((await connection.execute(statement)).all())


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
    rows = await _rows(session, statement)
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
        for row in await _rows(session, statement)
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
        counts.update({grid_id: count for grid_id, count in await _rows(session, statement)})
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


# --- The whole tree with counts (for `gridbot grids show` and /grid) -----------------------


@dataclass
class GridNode:
    """A level-3 grid with its member counts and staff names."""

    id: int
    name: str
    industry: Industry | None
    cross_town: bool
    seq: int | None
    objects: dict[Industry, int] = field(default_factory=dict)
    # Member counts by the members' town name; more than one entry for a cross-town grid.
    towns: dict[str, int] = field(default_factory=dict)
    statisticians: int = 0
    bound: int = 0
    staff: dict[Role, list[str]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.objects.values())


@dataclass
class TownNode:
    """A town with its level-3 grids.

    `objects` counts the town's own survey objects wherever they are placed (a cross-town grid
    may be listed under another town); `unplaced` those not yet in a level-3 grid. `staff`
    holds town roles and level-3 staff still awaiting placement.
    """

    id: int
    name: str
    grids: list[GridNode] = field(default_factory=list)
    objects: int = 0
    unplaced: dict[Industry, int] = field(default_factory=dict)
    statisticians: int = 0
    bound: int = 0
    staff: dict[Role, list[str]] = field(default_factory=dict)

    @property
    def unplaced_total(self) -> int:
        return sum(self.unplaced.values())


@dataclass
class GridTree:
    """City -> towns -> level-3 grids, with city-wide totals."""

    city_name: str | None
    staff: dict[Role, list[str]] = field(default_factory=dict)
    towns: list[TownNode] = field(default_factory=list)
    objects: int = 0
    unplaced: int = 0
    statisticians: int = 0
    bound: int = 0

    @property
    def grid_count(self) -> int:
        return sum(len(town.grids) for town in self.towns)


def _bound_join() -> sa.ColumnElement[bool]:
    return sa.and_(
        col(TelegramBinding.person_id) == col(SurveyObject.statistician_id),
        col(TelegramBinding.ended_at).is_(None),
    )


def _people_counts(group_by: Sequence[Any]) -> sa.Select[*tuple[Any, ...]]:
    return (
        sa.select(
            *group_by,
            sa.func.count(sa.distinct(col(SurveyObject.statistician_id))),
            sa.func.count(sa.distinct(col(TelegramBinding.person_id))),
        )
        .select_from(SurveyObject)
        .outerjoin(TelegramBinding, _bound_join())
        .group_by(*group_by)
    )


def _by_role(staff: dict[Role, list[str]]) -> dict[Role, list[str]]:
    return {role: staff[role] for role in sorted(staff, key=lambda role: ROLE_ORDER[role])}


async def grid_tree(*, session: AsyncSession) -> GridTree:
    """The grid tree with counts, in six aggregate queries whatever the size of the city.

    Statisticians and bound people are distinct persons per node; a person is bound when a
    TelegramBinding with ended_at IS NULL exists.
    """
    grids = (await session.exec(select(Grid))).all()
    by_id = {grid.id: grid for grid in grids}
    city = next(
        (g for g in sorted(grids, key=lambda g: g.id or 0) if g.level == GridLevel.CITY), None
    )
    tree = GridTree(city_name=city.name if city else None)
    town_nodes: dict[int, TownNode] = {}
    for grid in sorted(grids, key=lambda g: g.name):
        if grid.level == GridLevel.TOWN and grid.id is not None:
            town_nodes[grid.id] = TownNode(id=grid.id, name=grid.name)
    grid_nodes: dict[int, GridNode] = {}
    for grid in sorted(grids, key=_grid_key):
        if grid.level != GridLevel.GRID or grid.id is None:
            continue
        node = GridNode(
            id=grid.id,
            name=grid.name,
            industry=grid.industry,
            cross_town=grid.cross_town,
            seq=grid.seq,
        )
        grid_nodes[grid.id] = node
        if grid.parent_id in town_nodes:
            town_nodes[grid.parent_id].grids.append(node)
    tree.towns = list(town_nodes.values())

    counts = sa.select(
        col(SurveyObject.grid_id),
        col(SurveyObject.town_id),
        col(SurveyObject.industry),
        sa.func.count(),
    ).group_by(col(SurveyObject.grid_id), col(SurveyObject.town_id), col(SurveyObject.industry))
    for grid_id, town_id, industry, count in await _rows(session, counts):
        tree.objects += count
        if town_id in town_nodes:
            town_nodes[town_id].objects += count
        if grid_id in grid_nodes:
            objects = grid_nodes[grid_id].objects
            objects[industry] = objects.get(industry, 0) + count
            town_name = by_id[town_id].name if town_id in by_id else ""
            members = grid_nodes[grid_id].towns
            members[town_name] = members.get(town_name, 0) + count
        else:
            tree.unplaced += count
            if town_id in town_nodes:
                unplaced = town_nodes[town_id].unplaced
                unplaced[industry] = unplaced.get(industry, 0) + count

    grid_column = col(SurveyObject.grid_id)
    for grid_id, statisticians, bound in await _rows(session, _people_counts([grid_column])):
        if grid_id in grid_nodes:
            grid_nodes[grid_id].statisticians = statisticians
            grid_nodes[grid_id].bound = bound
    town_column = col(SurveyObject.town_id)
    for town_id, statisticians, bound in await _rows(session, _people_counts([town_column])):
        if town_id in town_nodes:
            town_nodes[town_id].statisticians = statisticians
            town_nodes[town_id].bound = bound
    overall = (await _rows(session, _people_counts([])))[0]
    tree.statisticians, tree.bound = overall[0], overall[1]

    staff = (
        sa.select(col(Assignment.grid_id), col(Assignment.role), col(Person.name))
        .join(Person, col(Person.id) == col(Assignment.person_id))
        .where(col(Assignment.ended_at).is_(None))
        .order_by(col(Person.name), col(Person.id))
    )
    for grid_id, role, name in await _rows(session, staff):
        holder = by_id.get(grid_id)
        if holder is None:
            continue
        if holder.level == GridLevel.GRID and grid_id in grid_nodes:
            names = grid_nodes[grid_id].staff
        elif holder.level == GridLevel.TOWN and grid_id in town_nodes:
            names = town_nodes[grid_id].staff
        elif holder.level == GridLevel.CITY and holder is city:
            names = tree.staff
        else:
            continue
        names.setdefault(role, []).append(name)
    tree.staff = _by_role(tree.staff)
    for town_node in tree.towns:
        town_node.staff = _by_role(town_node.staff)
    for grid_node in grid_nodes.values():
        grid_node.staff = _by_role(grid_node.staff)
    return tree


# --- Bulk reads and writes for the partition -----------------------------------------------


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
    return [GridSlot(*row) for row in await _rows(session, statement)]


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
    return [SurveyObjectSlot(*row) for row in await _rows(session, statement)]


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
    return [StaffSlot(*row) for row in await _rows(session, statement)]


async def insert_level3_grids(
    *, session: AsyncSession, grids: Sequence[NewGridRow], created_at: datetime
) -> dict[str, int]:
    """Insert level-3 grids in one statement; returns their ids by name."""
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
