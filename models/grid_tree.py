"""The whole grid tree with counts per node, for `gridbot grids show`."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.db import select_rows
from models.enums import GridLevel, Industry, Role
from models.grids import ROLE_ORDER, grid_order_key
from models.tables import Assignment, Grid, Person, SurveyObject, TelegramBinding, still_on_grid


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
        .where(still_on_grid())
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
    for grid in sorted(grids, key=lambda g: grid_order_key(name=g.name, seq=g.seq)):
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
    )
    counts = counts.where(still_on_grid()).group_by(
        col(SurveyObject.grid_id), col(SurveyObject.town_id), col(SurveyObject.industry)
    )
    for grid_id, town_id, industry, count in await select_rows(session, counts):
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
    for grid_id, statisticians, bound in await select_rows(session, _people_counts([grid_column])):
        if grid_id in grid_nodes:
            grid_nodes[grid_id].statisticians = statisticians
            grid_nodes[grid_id].bound = bound
    town_column = col(SurveyObject.town_id)
    for town_id, statisticians, bound in await select_rows(session, _people_counts([town_column])):
        if town_id in town_nodes:
            town_nodes[town_id].statisticians = statisticians
            town_nodes[town_id].bound = bound
    overall = (await select_rows(session, _people_counts([])))[0]
    tree.statisticians, tree.bound = overall[0], overall[1]

    staff = (
        sa.select(col(Assignment.grid_id), col(Assignment.role), col(Person.name))
        .join(Person, col(Person.id) == col(Assignment.person_id))
        .where(col(Assignment.ended_at).is_(None))
        .order_by(col(Person.name), col(Person.id))
    )
    for grid_id, role, name in await select_rows(session, staff):
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
