"""Placing level-3 staff (网格长, 副网格长, 网格指导员) on the grids, after the objects:

- Candidates of a town are its level-3 staff awaiting placement (a non-ended assignment on the
  town grid) and the non-explicit 网格长/网格指导员 already placed on its grids. A grid is the
  town's when the town is its parent or has objects in it (cross-town grids).
- Every grid lacking a 网格长 (or 网格指导员) gets the least-loaded candidate (load = current
  level-3 assignments; ties by name, id), which spreads people round-robin; one person may
  cover several grids, one Assignment row per grid. Explicit and earlier placements stay and
  count as the grid having the role. New rows are non-explicit and start now.
- A 副网格长 awaiting placement goes to the grid holding most of the enterprises they keep the
  statistics of (in their town), even if it already has a 副网格长; the others take grids
  without one, one grid each. Placed 副网格长 are not spread further.
- An awaiting row is ended (ended_at = now, kept as history) once its person holds that role
  on one of the town's grids; otherwise it stays and a warning says why.
- Grids left without 网格长 or 网格指导员 are listed in warnings, per town.
"""

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import groupby

from models.enums import Role
from models.partition import StaffSlot
from services.grids.partition.objects import ObjectPlanner, PlanGrid
from services.grids.partition.report import StaffPlacement

# Staff roles that every grid should have, in the order they are filled.
REQUIRED_ROLES = (Role.GRID_HEAD, Role.INSTRUCTOR)


@dataclass
class StaffResult:
    rows: list[tuple[int, str, Role]] = field(default_factory=list)
    placed: list[StaffPlacement] = field(default_factory=list)
    ended: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def place_staff(planner: ObjectPlanner, staff: Sequence[StaffSlot]) -> StaffResult:
    """Fill every grid's required roles, place awaiting deputies, end placed awaiting rows."""
    result = StaffResult()
    holders: dict[tuple[str, Role], set[int]] = defaultdict(set)
    load: Counter[int] = Counter()
    names: dict[int, str] = {}
    candidates: dict[tuple[int, Role], set[int]] = defaultdict(set)
    awaiting: dict[tuple[int, Role, int], list[int]] = defaultdict(list)
    for slot in sorted(staff, key=lambda s: s.assignment_id):
        names[slot.person_id] = slot.person_name
        grid = planner.by_id.get(slot.grid_id)
        if grid is not None:
            holders[(grid.name, slot.role)].add(slot.person_id)
            load[slot.person_id] += 1
            if not slot.explicit and slot.role in REQUIRED_ROLES:
                for town_id in grid.staff_towns():
                    candidates[(town_id, slot.role)].add(slot.person_id)
        elif slot.grid_id in planner.town_names:
            awaiting[(slot.grid_id, slot.role, slot.person_id)].append(slot.assignment_id)
            candidates[(slot.grid_id, slot.role)].add(slot.person_id)

    def assign(person_id: int, grid: PlanGrid, role: Role) -> None:
        holders[(grid.name, role)].add(person_id)
        load[person_id] += 1
        result.rows.append((person_id, grid.name, role))
        result.placed.append(StaffPlacement(names[person_id], role, grid.name))

    def town_grids(town_id: int) -> list[PlanGrid]:
        return [g for g in grids if town_id in g.staff_towns()]

    def holds(person_id: int, town_id: int, role: Role) -> bool:
        return any(person_id in holders[(g.name, role)] for g in town_grids(town_id))

    grids = planner.ordered_grids()
    for grid in grids:
        for role in REQUIRED_ROLES:
            if holders[(grid.name, role)]:
                continue
            pool: set[int] = set()
            for town_id in grid.staff_towns():
                pool |= candidates[(town_id, role)]
            if pool:
                assign(min(pool, key=lambda p: (load[p], names[p], p)), grid, role)

    # Deputies: first those who keep the statistics of an enterprise, to its grid.
    kept_by: dict[int, Counter[str]] = defaultdict(Counter)
    final = planner.final_grid_names()
    for survey_object in planner.objects:
        if survey_object.statistician_id is not None and survey_object.id in final:
            kept_by[survey_object.statistician_id][final[survey_object.id]] += 1
    deputies = sorted(
        (key for key in awaiting if key[1] == Role.GRID_DEPUTY),
        key=lambda key: (planner.town_names[key[0]], key[0], names[key[2]], key[2]),
    )
    others = []
    for town_id, role, person_id in deputies:
        if holds(person_id, town_id, role):
            continue
        own = [g for g in town_grids(town_id) if kept_by[person_id][g.name]]
        if own:
            # max() keeps the first of equals, so ties go to the earlier grid.
            assign(person_id, max(own, key=lambda g: kept_by[person_id][g.name]), role)
        else:
            others.append((town_id, role, person_id))
    for town_id, role, person_id in others:
        lacking = [g for g in town_grids(town_id) if not holders[(g.name, role)]]
        if lacking:
            assign(person_id, lacking[0], role)

    for (town_id, role, person_id), assignment_ids in sorted(
        awaiting.items(), key=lambda item: (planner.town_names[item[0][0]], item[0])
    ):
        town = planner.town_names[town_id]
        if holds(person_id, town_id, role):
            result.ended.extend(assignment_ids)
        elif not town_grids(town_id):
            result.warnings.append(f"{town}尚无三级网格，{role.value} {names[person_id]} 待安排。")
        else:
            result.warnings.append(
                f"{town}各网格均已有{role.value}，{names[person_id]} 暂未安排网格。"
            )

    for town_id, group in groupby(grids, key=lambda g: g.parent_id):
        listed = list(group)
        for role in REQUIRED_ROLES:
            missing = [g.name for g in listed if not holders[(g.name, role)]]
            if missing:
                result.warnings.append(
                    f"{planner.town_names.get(town_id, '')}：{len(missing)} 个网格缺少"
                    f"{role.value}（{'、'.join(missing)}）。"
                )
    return result
