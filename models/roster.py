"""Roster data access for the import: city and town grids, level-3 grids by town, people by
mobile, live assignments, and bulk upserts. Every lookup takes a whole list at once (chunked IN
lists) and every write is one bulk statement, so 10,000 rows cost a handful of queries."""

from collections import defaultdict
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar

import sqlalchemy as sa
from sqlmodel import col, insert, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import GridLevel, Industry, Role, Scale
from models.tables import Assignment, Grid, Person, SurveyObject, still_on_grid, utcnow

# SQLite allows 999 bound parameters per statement in older builds; stay below it everywhere.
IN_CHUNK_SIZE = 900

_T = TypeVar("_T")


def _chunks(values: Collection[_T], size: int = IN_CHUNK_SIZE) -> Iterator[list[_T]]:
    items = list(dict.fromkeys(values))
    for start in range(0, len(items), size):
        yield items[start : start + size]


async def get_or_create_city_grid(*, session: AsyncSession, name: str) -> tuple[Grid, bool]:
    """The level-1 grid called `name`, and whether it was created now."""
    result = await session.exec(select(Grid).where(Grid.level == GridLevel.CITY, Grid.name == name))
    city = result.first()
    if city is not None:
        return city, False
    city = Grid(level=GridLevel.CITY, name=name)
    session.add(city)
    await session.flush()
    return city, True


async def grids_by_name(*, session: AsyncSession, names: Collection[str]) -> dict[str, Grid]:
    """Grids of any level whose name is in `names`."""
    found: dict[str, Grid] = {}
    for chunk in _chunks(names):
        result = await session.exec(select(Grid).where(col(Grid.name).in_(chunk)))
        found.update((grid.name, grid) for grid in result)
    return found


async def level3_grids_by_town(
    *, session: AsyncSession, town_ids: Collection[int]
) -> dict[int, list[Grid]]:
    """Level-3 grids each town works with: those it parents, and cross-town grids parented
    elsewhere that hold some of its survey objects."""
    holding: dict[int, set[int]] = defaultdict(set)
    for chunk in _chunks(town_ids):
        pairs = await session.exec(
            select(SurveyObject.grid_id, SurveyObject.town_id)
            .where(col(SurveyObject.town_id).in_(chunk), col(SurveyObject.grid_id).is_not(None))
            .distinct()
        )
        for grid_id, town_id in pairs:
            holding[_must_id(grid_id)].add(town_id)
    grids: dict[int, Grid] = {}
    for column, values in ((col(Grid.parent_id), town_ids), (col(Grid.id), holding.keys())):
        for chunk in _chunks(values):
            result = await session.exec(
                select(Grid).where(Grid.level == GridLevel.GRID, column.in_(chunk))
            )
            grids.update((_must_id(grid.id), grid) for grid in result)
    by_town: dict[int, list[Grid]] = defaultdict(list)
    for grid_id, grid in sorted(grids.items()):
        for town_id in {grid.parent_id, *holding.get(grid_id, ())} & set(town_ids):
            if town_id is not None:
                by_town[town_id].append(grid)
    return dict(by_town)


async def get_or_create_town_grids(
    *, session: AsyncSession, city: Grid, names: Collection[str], started_on: date | None = None
) -> tuple[dict[str, Grid], int]:
    """Level-2 grids by name, creating the missing ones under `city` (judged from
    `started_on`, None: from the city's go-live); also how many were new."""
    existing = await grids_by_name(session=session, names=names)
    towns = {name: grid for name, grid in existing.items() if grid.level == GridLevel.TOWN}
    missing = [name for name in dict.fromkeys(names) if name not in existing]
    if missing:
        new = [
            Grid(level=GridLevel.TOWN, name=name, parent_id=city.id, started_on=started_on)
            for name in missing
        ]
        session.add_all(new)
        await session.flush()
        towns.update((grid.name, grid) for grid in new)
    return towns, len(missing)


async def person_names_by_mobile(
    *, session: AsyncSession, mobiles: Collection[str]
) -> dict[str, str]:
    """Stored names of the people with these mobiles."""
    found: dict[str, str] = {}
    for chunk in _chunks(mobiles):
        result = await session.exec(
            select(Person.mobile, Person.name).where(col(Person.mobile).in_(chunk))
        )
        found.update((mobile, name) for mobile, name in result)
    return found


async def live_assignments(
    *, session: AsyncSession, person_ids: Collection[int]
) -> list[Assignment]:
    """Assignments of these people that have not ended."""
    found: list[Assignment] = []
    for chunk in _chunks(person_ids):
        result = await session.exec(
            select(Assignment)
            .where(col(Assignment.person_id).in_(chunk), col(Assignment.ended_at).is_(None))
            .order_by(col(Assignment.id))
        )
        found.extend(result)
    return found


@dataclass(frozen=True)
class NewAssignment:
    person_id: int
    grid_id: int
    role: Role
    explicit: bool


async def add_assignments(*, session: AsyncSession, rows: Sequence[NewAssignment]) -> None:
    """Insert live assignments starting now, in one bulk statement."""
    if not rows:
        return
    now = utcnow()
    await session.exec(
        insert(Assignment),
        params=[
            {
                "person_id": row.person_id,
                "grid_id": row.grid_id,
                "role": row.role,
                "explicit": row.explicit,
                "started_at": now,
                "ended_at": None,
            }
            for row in rows
        ],
    )


async def get_or_create_people(
    *, session: AsyncSession, names_by_mobile: Mapping[str, str]
) -> tuple[dict[str, int], int]:
    """Person ids by mobile, creating the missing people in bulk; also how many were new.

    An existing person keeps the stored name: the roster import refuses a different one.
    """
    ids: dict[str, int] = {}
    for chunk in _chunks(names_by_mobile):
        result = await session.exec(
            select(Person.mobile, Person.id).where(col(Person.mobile).in_(chunk))
        )
        ids.update((mobile, _must_id(person_id)) for mobile, person_id in result)
    now = utcnow()
    new = [
        {"name": name, "mobile": mobile, "active": True, "created_at": now}
        for mobile, name in names_by_mobile.items()
        if mobile not in ids
    ]
    if new:
        inserted = await session.exec(
            insert(Person).returning(col(Person.mobile), col(Person.id)), params=new
        )
        ids.update((mobile, person_id) for mobile, person_id in inserted)
    return ids, len(new)


@dataclass(frozen=True)
class SurveyObjectKey:
    uscc: str
    name: str
    town_id: int


async def survey_object_keys_by_name(
    *, session: AsyncSession, names: Collection[str]
) -> list[SurveyObjectKey]:
    """USCC, name and town of the survey objects named exactly one of `names`."""
    found: list[SurveyObjectKey] = []
    for chunk in _chunks(names):
        result = await session.exec(
            select(SurveyObject.uscc, SurveyObject.name, SurveyObject.town_id).where(
                col(SurveyObject.name).in_(chunk)
            )
        )
        found.extend(SurveyObjectKey(*row) for row in result)
    return found


@dataclass(frozen=True)
class SurveyObjectData:
    """What the roster says about one survey object, with grid and person ids resolved."""

    uscc: str
    name: str
    industry: Industry
    scale: Scale
    town_id: int
    statistician_id: int | None
    # The roster's 纳入日期 and 退出日期, None when the row gives none.
    joined_on: date | None = None
    left_on: date | None = None


@dataclass(frozen=True)
class UpsertCounts:
    created: int
    updated: int
    unchanged: int


_COMPARED = ("name", "industry", "scale", "town_id", "statistician_id")


async def upsert_survey_objects(
    *, session: AsyncSession, rows: Sequence[SurveyObjectData], default_joined_on: date
) -> UpsertCounts:
    """Create or update survey objects by USCC with bulk statements (no object per row).

    Moving an object to another town clears its grid, so the partition places it again.
    A new object without a 纳入日期 joins on `default_joined_on`; a stored one keeps its
    date, except one that had left and is listed again without a 退出日期 (it came back on
    its 纳入日期 or `default_joined_on`). A row without a 退出日期 means still on the grid.
    """
    stored: dict[str, tuple[object, ...]] = {}
    # Nine columns are more than sqlmodel's typed select() takes: use the session's connection
    # (same transaction), after a flush so that pending ORM rows are visible to it.
    await session.flush()
    connection = await session.connection()
    for chunk in _chunks([row.uscc for row in rows]):
        result = await connection.execute(
            sa.select(
                col(SurveyObject.uscc),
                col(SurveyObject.id),
                col(SurveyObject.name),
                col(SurveyObject.industry),
                col(SurveyObject.scale),
                col(SurveyObject.town_id),
                col(SurveyObject.statistician_id),
                col(SurveyObject.joined_on),
                col(SurveyObject.left_on),
            ).where(col(SurveyObject.uscc).in_(chunk))
        )
        stored.update((uscc, tuple(values)) for uscc, *values in result)
    now = utcnow()
    new: list[dict[str, object]] = []
    changes: list[dict[str, object]] = []
    for row in rows:
        current = stored.get(row.uscc)
        if current is None:
            new.append(
                {
                    "uscc": row.uscc,
                    "grid_id": None,
                    "created_at": now,
                    **_values(row),
                    "joined_on": row.joined_on or default_joined_on,
                    "left_on": row.left_on,
                }
            )
            continue
        object_id, *old = current
        stored_joined, stored_left = old[len(_COMPARED)], old[len(_COMPARED) + 1]
        joined = row.joined_on or stored_joined
        if stored_left is not None and row.left_on is None and row.joined_on is None:
            joined = default_joined_on
        values = {**_values(row), "joined_on": joined, "left_on": row.left_on}
        if tuple(old) == tuple(values.values()):
            continue
        change: dict[str, object] = {"id": object_id, **values}
        if old[_COMPARED.index("town_id")] != row.town_id:
            change["grid_id"] = None
        changes.append(change)
    if new:
        await session.exec(insert(SurveyObject), params=new)
    # One executemany per set of columns: objects that moved town also clear grid_id.
    moved = [change for change in changes if "grid_id" in change]
    stayed = [change for change in changes if "grid_id" not in change]
    for batch in (moved, stayed):
        if batch:
            await session.exec(update(SurveyObject), params=batch)
    return UpsertCounts(
        created=len(new), updated=len(changes), unchanged=len(stored) - len(changes)
    )


async def statisticians_on_grid(*, session: AsyncSession) -> dict[int, str]:
    """Everyone who is the statistician of a survey object still on the grid (what makes them
    a 网格员): person id -> name."""
    rows = await session.exec(
        select(Person.id, Person.name)
        .join(SurveyObject, col(SurveyObject.statistician_id) == col(Person.id))
        .where(still_on_grid())
        .distinct()
    )
    return {person_id: name for person_id, name in rows.all() if person_id is not None}


async def any_survey_object(*, session: AsyncSession) -> bool:
    """Whether any survey object is stored (False before the first roster import)."""
    return (await session.exec(select(SurveyObject.id).limit(1))).first() is not None


async def mark_absent_left(
    *, session: AsyncSession, town_ids: Collection[int], present: Collection[str], on: date
) -> int:
    """Record `on` as the 退出日期 of the objects of these towns still on the grid whose USCC
    is not in `present` (a re-import that no longer lists them); returns how many."""
    keep = set(present)
    gone: list[int] = []
    connection = await session.connection()
    for chunk in _chunks(town_ids):
        result = await connection.execute(
            sa.select(
                col(SurveyObject.id), col(SurveyObject.uscc), col(SurveyObject.joined_on)
            ).where(col(SurveyObject.town_id).in_(chunk), col(SurveyObject.left_on).is_(None))
        )
        gone.extend(
            _must_id(object_id)
            for object_id, uscc, joined_on in result
            if uscc not in keep and (joined_on is None or joined_on < on)
        )
    if gone:
        await session.exec(
            update(SurveyObject), params=[{"id": object_id, "left_on": on} for object_id in gone]
        )
    return len(gone)


@dataclass(frozen=True, slots=True)
class FundedObject:
    object_id: int
    name: str
    town_id: int
    town_name: str
    joined_on: date | None
    left_on: date | None


async def objects_on_grid_between(
    *, session: AsyncSession, first: date, after: date, stored_before: datetime
) -> list[FundedObject]:
    """Survey objects on the grid some day in [first, after), by town and name: joined before
    `after` and not left by `first`; an object without 纳入日期 counts once stored before
    `stored_before`."""
    statement = (
        sa.select(
            col(SurveyObject.id),
            col(SurveyObject.name),
            col(Grid.id),
            col(Grid.name),
            col(SurveyObject.joined_on),
            col(SurveyObject.left_on),
        )
        .join(Grid, col(Grid.id) == col(SurveyObject.town_id))
        .where(
            sa.or_(
                col(SurveyObject.joined_on) < after,
                sa.and_(
                    col(SurveyObject.joined_on).is_(None),
                    col(SurveyObject.created_at) < stored_before,
                ),
            ),
            sa.or_(col(SurveyObject.left_on).is_(None), col(SurveyObject.left_on) > first),
        )
        .order_by(col(Grid.name), col(SurveyObject.name), col(SurveyObject.id))
    )
    connection = await session.connection()
    return [
        FundedObject(_must_id(object_id), name, _must_id(town_id), town_name, joined, left)
        for object_id, name, town_id, town_name, joined, left in await connection.execute(statement)
    ]


def _values(row: SurveyObjectData) -> dict[str, object]:
    return {name: getattr(row, name) for name in _COMPARED}


def _must_id(value: int | None) -> int:
    if value is None:
        raise AssertionError("a stored row has no id")
    return value
