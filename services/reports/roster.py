"""The roster as the grid duties see it: towns with level-3 grids, and who holds the roles they
remind (网格长, 网格指导员, 二级网格长, 分管负责人, 管理员), in three queries."""

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from sqlmodel.ext.asyncio.session import AsyncSession

from models import grids as grid_queries
from models import reports as queries
from models.enums import Role
from models.grids import GridRef
from models.reports import Holder
from models.tables import Grid
from services.coverage import Coverage, load_coverage


@dataclass
class TownRoster:
    town: Grid
    grids: list[GridRef] = field(default_factory=list)
    heads: list[Holder] = field(default_factory=list)  # 二级网格长
    deputies: list[Holder] = field(default_factory=list)  # 分管负责人


@dataclass
class Roster:
    """Towns (by name) that have level-3 grids, and who holds the roles duties remind."""

    towns: list[TownRoster]
    grid_heads: dict[int, list[Holder]]  # level-3 grid id -> its 网格长s
    instructors: dict[int, list[Holder]]  # level-3 grid id -> its 网格指导员s
    admins: list[Holder]
    # From when each grid is judged (services/coverage.py); empty: every period.
    coverage: Coverage = field(default_factory=Coverage)

    @property
    def grids(self) -> list[GridRef]:
        return [grid for town in self.towns for grid in town.grids]

    def judged(self, first_day: date) -> "Roster":
        """Only the grids judged for the period beginning on `first_day`, and the towns that
        keep some: nothing is reminded or summarised about a period a grid was not there for."""
        towns = []
        for town in self.towns:
            grids = [g for g in town.grids if self.coverage.grid_covers(g.id, first_day)]
            if len(grids) == len(town.grids):
                towns.append(town)
            elif grids:
                towns.append(replace(town, grids=grids))
        return replace(self, towns=towns)


async def load_roster(*, session: AsyncSession, town_ids: Collection[int] | None = None) -> Roster:
    """Four queries whatever the city's size: towns, level-3 grids, role holders, the grids'
    judged-from dates."""
    towns = await queries.towns_by_ids(session=session, town_ids=town_ids)
    by_id = {town.id: TownRoster(town) for town in towns if town.id is not None}
    for grid in await grid_queries.level3_grid_refs(session=session):
        if grid.parent_id in by_id:
            by_id[grid.parent_id].grids.append(grid)
    grid_heads: dict[int, list[Holder]] = defaultdict(list)
    instructors: dict[int, list[Holder]] = defaultdict(list)
    level3 = {grid.id for town in by_id.values() for grid in town.grids}
    admins: dict[int, Holder] = {}
    roles = (Role.GRID_HEAD, Role.INSTRUCTOR, Role.TOWN_HEAD, Role.TOWN_DEPUTY, Role.ADMIN)
    for role, grid_id, person in await queries.role_holder_refs(session=session, roles=roles):
        if role == Role.GRID_HEAD and grid_id in level3:
            grid_heads[grid_id].append(person)
        elif role == Role.INSTRUCTOR and grid_id in level3:
            instructors[grid_id].append(person)
        elif role == Role.TOWN_HEAD and grid_id in by_id:
            by_id[grid_id].heads.append(person)
        elif role == Role.TOWN_DEPUTY and grid_id in by_id:
            by_id[grid_id].deputies.append(person)
        elif role == Role.ADMIN and person.id is not None:
            admins[person.id] = person
    return Roster(
        towns=[town for town in by_id.values() if town.grids],
        grid_heads=grid_heads,
        instructors=instructors,
        admins=list(admins.values()),
        coverage=await load_coverage(session=session),
    )


def joined_names(people: Sequence[Holder]) -> str:
    return "、".join(person.name for person in people)


def unique(people: Sequence[Holder]) -> list[Holder]:
    """Each person once (someone may be both 二级网格长 and 分管负责人)."""
    return list({person.id: person for person in people}.values())
