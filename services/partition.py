"""Divide survey objects into level-3 grids and place level-3 staff (`gridbot grids partition`).

Policy 三(一): about 20 survey objects of the same industry form one grid; when there are few,
grids may span industries and areas. The rules, applied per town in town-name order:

1. Objects already in a level-3 grid never move. An object whose grid_id is empty (or, from bad
   data, points at a town or the city) is unplaced.
2. Unplaced objects of one industry first fill the town's existing grids of that industry that
   are below `cap` (smallest first, ties by seq then name).
3. If at least `min_size` of that industry are left, they form new grids of that industry with
   balanced sizes: k = max(1, floor(n / target + 1/2)) grids whose sizes differ by at most one
   (45 -> 23 + 22, 30 -> 15 + 15, 26 -> 26, 70 -> 18 + 18 + 17 + 17). A single grid formed this
   way may hold up to 1.5 x target - 1 (29); `cap` only limits filling existing grids.
   Fewer than `min_size` go to the town's cross-industry pool.
4. The pool fills the town's cross-industry grids below `cap` (综合网格, former single-industry
   grids that became mixed, cross-town grids holding the town's objects), then forms balanced
   `{town}·综合网格N` grids if at least `min_size` are left, else joins the town's smallest grid
   (kept together until that grid reaches `cap`, then the next smallest; when all are full it
   goes over `cap` with a warning). A grid that receives another industry keeps its name and
   becomes cross-industry (industry None).
   This differs from "cross-industry grid before new grids" on purpose: an industry with enough
   new objects gets its own grid, as on the first run, rather than diluting a 综合网格.
5. A town with no grid and fewer than `min_size` objects in all goes to the city-wide pool
   (order: town name, industry, USCC). The pool fills existing cross-town grids below `cap`,
   then forms balanced blocks if at least `min_size` are left; a block is parented by the town
   contributing most objects (ties by name) and named `{town}·跨区域网格N` with cross_town
   set, or `{town}·综合网格N` if it holds one town only. A smaller rest joins the city's
   smallest grid (which becomes cross-town); if the city has no grid at all, it forms one grid
   anyway. A warning lists the towns, their counts and the receiving grids.
6. New grids get the next seq of their town and kind (`{town}·{industry}网格N`,
   `{town}·综合网格N`, `{town}·跨区域网格N`), skipping names already taken.

Staff (roles 网格长, 副网格长, 网格指导员), after the objects are placed:

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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import groupby
from typing import NamedTuple

from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import GridLevel, Industry, Role
from models.grids import (
    CROSS_INDUSTRY_LABEL,
    CROSS_TOWN_LABEL,
    INDUSTRY_ORDER,
    GridSlot,
    GridTree,
    NewGridRow,
    StaffSlot,
    SurveyObjectSlot,
    add_grid_staff,
    end_assignments,
    grid_order_key,
    grid_slots,
    grid_tree,
    insert_level3_grids,
    lock_partition,
    open_staff_slots,
    place_survey_objects,
    set_grid_kinds,
    survey_object_slots,
)

__all__ = [
    "GridGrowth",
    "NewGridSummary",
    "PartitionPlan",
    "PartitionReport",
    "PartitionSettings",
    "PlannedGrid",
    "StaffPlacement",
    "balanced_sizes",
    "grid_tree",
    "partition",
    "plan_partition",
    "render_tree",
]

# Staff roles that every grid should have, in the order they are filled.
REQUIRED_ROLES = (Role.GRID_HEAD, Role.INSTRUCTOR)


@dataclass(frozen=True)
class PartitionSettings:
    """Grid sizes: aim for `target_size`; `min_size` to form a grid; `cap` for topping up."""

    target_size: int = 20
    min_size: int = 10
    cap: int = 25

    def __post_init__(self) -> None:
        if not 1 <= self.min_size <= self.target_size <= self.cap:
            raise ValueError("需要 1 ≤ min_size ≤ target_size ≤ cap")


def balanced_sizes(n: int, target: int) -> list[int]:
    """Sizes of the max(1, floor(n / target + 1/2)) grids that n objects form, largest first."""
    k = max(1, (2 * n + target) // (2 * target))
    q, r = divmod(n, k)
    return [q + 1] * r + [q] * (k - r)


# --- Plan and report ---------------------------------------------------------------------


class NewGridSummary(NamedTuple):
    name: str
    town: str
    industry: Industry | None
    size: int
    cross_town: bool


class GridGrowth(NamedTuple):
    name: str
    added: int


class StaffPlacement(NamedTuple):
    person_name: str
    role: Role
    grid_name: str


@dataclass(frozen=True)
class PlannedGrid:
    """A level-3 grid the plan creates; `members` are survey object ids."""

    name: str
    parent_id: int
    town: str
    industry: Industry | None
    seq: int
    cross_town: bool
    members: tuple[int, ...]


@dataclass
class PartitionReport:
    new_grids: list[NewGridSummary]
    placed: int
    changed_grids: list[GridGrowth]
    staff_placed: list[StaffPlacement]
    warnings: list[str]
    dry_run: bool

    def render(self) -> str:
        """The Chinese console report."""
        title = "统计网格划分（试运行，未写入数据库）" if self.dry_run else "统计网格划分完成"
        lines = [
            title,
            f"划分调查对象 {self.placed} 家；新建网格 {len(self.new_grids)} 个；"
            f"已有网格新增成员 {len(self.changed_grids)} 个；"
            f"安排网格工作人员 {len(self.staff_placed)} 人次。",
        ]
        if not self.placed and not self.staff_placed:
            lines.append("没有待划分的调查对象或待安排的工作人员。")
        if self.new_grids:
            lines.append("新建网格：")
            for grid in self.new_grids:
                kind = grid.industry.value if grid.industry else "跨行业"
                if grid.cross_town:
                    kind += "，跨区域"
                lines.append(f"  {grid.name}（{kind}，{grid.size} 家）")
        if self.changed_grids:
            lines.append("已有网格新增成员：")
            lines.extend(f"  {growth.name} +{growth.added}" for growth in self.changed_grids)
        if self.staff_placed:
            lines.append("工作人员安排：")
            lines.extend(
                f"  {p.person_name}（{p.role.value}）→ {p.grid_name}" for p in self.staff_placed
            )
        if self.warnings:
            lines.append("提醒：")
            lines.extend(f"  ⚠ {warning}" for warning in self.warnings)
        return "\n".join(lines)


@dataclass(frozen=True)
class PartitionPlan:
    """Everything a partition run would write, by grid name (new grids have no id yet)."""

    new_grids: list[PlannedGrid]
    # survey object id -> grid name, for objects placed by this run only
    placements: dict[int, str]
    # existing grid id -> (industry, cross_town) where receiving members changed its kind
    grid_kinds: dict[int, tuple[Industry | None, bool]]
    changed_grids: list[GridGrowth]
    # (person id, grid name, role) for the Assignment rows to add
    staff: list[tuple[int, str, Role]]
    staff_placed: list[StaffPlacement]
    ended_assignments: list[int]
    warnings: list[str]

    def report(self, *, dry_run: bool) -> PartitionReport:
        return PartitionReport(
            new_grids=[
                NewGridSummary(g.name, g.town, g.industry, len(g.members), g.cross_town)
                for g in self.new_grids
            ],
            placed=len(self.placements),
            changed_grids=list(self.changed_grids),
            staff_placed=list(self.staff_placed),
            warnings=list(self.warnings),
            dry_run=dry_run,
        )


# --- The pure planner --------------------------------------------------------------------


@dataclass(eq=False)
class _Grid:
    """A level-3 grid while planning; `id` is None for grids this plan creates."""

    id: int | None
    name: str
    parent_id: int
    industry: Industry | None
    seq: int | None
    cross_town: bool
    size: int = 0
    towns: set[int] = field(default_factory=set)
    added: list[int] = field(default_factory=list)
    overfull: bool = False

    def fill_key(self) -> tuple[int, int, str]:
        return (self.size, self.seq if self.seq is not None else 0, self.name)

    def order_key(self) -> tuple[int, str, int, str]:
        return grid_order_key(name=self.name, seq=self.seq)

    def take(self, survey_object: SurveyObjectSlot) -> None:
        self.size += 1
        self.added.append(survey_object.id)
        self.towns.add(survey_object.town_id)
        if self.industry is not None and survey_object.industry != self.industry:
            self.industry = None
        if survey_object.town_id != self.parent_id:
            self.cross_town = True

    def staff_towns(self) -> set[int]:
        return {self.parent_id, *self.towns}


def _object_key(
    town_names: dict[int, str],
) -> Callable[[SurveyObjectSlot], tuple[str, int, int, str]]:
    """Deterministic order: town name, industry as listed in Industry, then USCC."""
    return lambda o: (town_names[o.town_id], o.town_id, INDUSTRY_ORDER[o.industry], o.uscc)


class _Planner:
    def __init__(
        self,
        *,
        grids: Sequence[GridSlot],
        objects: Sequence[SurveyObjectSlot],
        settings: PartitionSettings,
    ) -> None:
        self.settings = settings
        self.warnings: list[str] = []
        self.town_names = {g.id: g.name for g in grids if g.level == GridLevel.TOWN}
        self.taken_names = {g.name for g in grids}
        self.next_seq: dict[tuple[int, str], int] = {}
        self.grids: list[_Grid] = []
        self.by_id: dict[int, _Grid] = {}
        for slot in sorted(grids, key=lambda g: g.id):
            if slot.level != GridLevel.GRID:
                continue
            grid = _Grid(
                id=slot.id,
                name=slot.name,
                # A parentless level-3 grid cannot happen through the roster; 0 matches no town.
                parent_id=slot.parent_id or 0,
                industry=slot.industry,
                seq=slot.seq,
                cross_town=slot.cross_town,
            )
            self.grids.append(grid)
            self.by_id[slot.id] = grid
        self.original_kinds = {g.name: (g.industry, g.cross_town) for g in self.grids}
        self.objects = list(objects)
        self.unplaced: list[SurveyObjectSlot] = []
        orphans = 0
        for survey_object in self.objects:
            home = self.by_id.get(survey_object.grid_id or 0)
            if home is not None:
                home.size += 1
                home.towns.add(survey_object.town_id)
            elif survey_object.town_id in self.town_names:
                self.unplaced.append(survey_object)
            else:
                orphans += 1
        if orphans:
            self.warnings.append(f"{orphans} 家调查对象的所属乡镇（街道）无效，未划分网格。")
        self.unplaced.sort(key=_object_key(self.town_names))
        self.city_pool: list[SurveyObjectSlot] = []

    # -- objects --

    def town_grids(self, town_id: int) -> list[_Grid]:
        return [g for g in self.grids if g.parent_id == town_id or town_id in g.towns]

    def new_grid(
        self, *, parent_id: int, label: str, industry: Industry | None, cross_town: bool
    ) -> _Grid:
        prefix = f"{self.town_names[parent_id]}·{label}网格"
        key = (parent_id, label)
        if key not in self.next_seq:
            used = [g.seq for g in self.grids if g.seq is not None and g.name == f"{prefix}{g.seq}"]
            self.next_seq[key] = max(used, default=0) + 1
        seq = self.next_seq[key]
        while f"{prefix}{seq}" in self.taken_names:
            seq += 1
        self.next_seq[key] = seq + 1
        grid = _Grid(
            id=None,
            name=f"{prefix}{seq}",
            parent_id=parent_id,
            industry=industry,
            seq=seq,
            cross_town=cross_town,
        )
        self.taken_names.add(grid.name)
        self.grids.append(grid)
        return grid

    def fill(self, objects: list[SurveyObjectSlot], grids: list[_Grid]) -> list[SurveyObjectSlot]:
        """Put objects into grids below the cap, smallest first; return those left over."""
        open_grids = [g for g in grids if g.size < self.settings.cap]
        left = []
        for survey_object in objects:
            if not open_grids:
                left.append(survey_object)
                continue
            grid = min(open_grids, key=_Grid.fill_key)
            grid.take(survey_object)
            if grid.size >= self.settings.cap:
                open_grids.remove(grid)
        return left

    def form(
        self,
        objects: list[SurveyObjectSlot],
        *,
        parent_id: int,
        label: str,
        industry: Industry | None,
    ) -> None:
        start = 0
        for size in balanced_sizes(len(objects), self.settings.target_size):
            grid = self.new_grid(
                parent_id=parent_id, label=label, industry=industry, cross_town=False
            )
            for survey_object in objects[start : start + size]:
                grid.take(survey_object)
            start += size

    def join_smallest(self, objects: list[SurveyObjectSlot], grids: list[_Grid]) -> None:
        """Keep the objects together in the smallest grid until the cap, then the next one."""
        current: _Grid | None = None
        for survey_object in objects:
            if current is None or current.size >= self.settings.cap:
                below_cap = [g for g in grids if g.size < self.settings.cap]
                current = min(below_cap or grids, key=_Grid.fill_key)
            if current.size >= self.settings.cap:
                current.overfull = True
            current.take(survey_object)

    def place_town(self, town_id: int, objects: list[SurveyObjectSlot]) -> None:
        minimum = self.settings.min_size
        pool: list[SurveyObjectSlot] = []
        for industry, group in groupby(objects, key=lambda o: o.industry):
            same = [g for g in self.town_grids(town_id) if g.industry == industry]
            left = self.fill(list(group), same)
            if len(left) >= minimum:
                self.form(left, parent_id=town_id, label=industry.value, industry=industry)
            else:
                pool.extend(left)
        if not pool:
            return
        mixed = [g for g in self.town_grids(town_id) if g.industry is None]
        pool = self.fill(pool, mixed)
        if len(pool) >= minimum:
            self.form(pool, parent_id=town_id, label=CROSS_INDUSTRY_LABEL, industry=None)
        elif pool and (own := self.town_grids(town_id)):
            self.join_smallest(pool, own)
        else:
            # No grid and (by the steps above) fewer than min_size objects in all.
            self.city_pool.extend(pool)

    def form_blocks(self, objects: list[SurveyObjectSlot]) -> None:
        start = 0
        for size in balanced_sizes(len(objects), self.settings.target_size):
            block = objects[start : start + size]
            start += size
            per_town = Counter(o.town_id for o in block)
            parent_id = min(per_town, key=lambda t: (-per_town[t], self.town_names[t], t))
            cross_town = len(per_town) > 1
            grid = self.new_grid(
                parent_id=parent_id,
                label=CROSS_TOWN_LABEL if cross_town else CROSS_INDUSTRY_LABEL,
                industry=None,
                cross_town=cross_town,
            )
            for survey_object in block:
                grid.take(survey_object)

    def place_city_pool(self) -> None:
        if not self.city_pool:
            return
        pool = sorted(self.city_pool, key=_object_key(self.town_names))
        left = self.fill(pool, [g for g in self.grids if g.cross_town])
        if len(left) >= self.settings.min_size or (left and not self.grids):
            self.form_blocks(left)
        elif left:
            self.join_smallest(left, self.grids)
        destination = {o: g.name for g in self.grids for o in g.added}
        per_town = Counter(o.town_id for o in pool)
        per_grid = Counter(destination[o.id] for o in pool)
        towns = "、".join(f"{self.town_names[t]} {n} 家" for t, n in per_town.items())
        grids = "、".join(f"{name}（{n} 家）" for name, n in sorted(per_grid.items()))
        self.warnings.append(
            f"以下乡镇（街道）调查对象不足 {self.settings.min_size} 家且没有网格，"
            f"已跨区域划分：{towns}；划入 {grids}。"
        )

    def place_objects(self) -> None:
        for town_id, group in groupby(self.unplaced, key=lambda o: o.town_id):
            self.place_town(town_id, list(group))
        self.place_city_pool()
        for grid in self.grids:
            if grid.overfull:
                self.warnings.append(
                    f"{grid.name} 已有 {grid.size} 家，超过上限 {self.settings.cap} 家，"
                    "请考虑调整网格。"
                )

    # -- staff --

    def ordered_grids(self) -> list[_Grid]:
        return sorted(
            self.grids,
            key=lambda g: (self.town_names.get(g.parent_id, ""), g.parent_id, g.order_key()),
        )

    def final_grid_names(self) -> dict[int, str]:
        """Survey object id -> level-3 grid name, after this plan."""
        names = {o.id: self.by_id[o.grid_id].name for o in self.objects if o.grid_id in self.by_id}
        names.update((object_id, g.name) for g in self.grids for object_id in g.added)
        return names

    def place_staff(self, staff: Sequence[StaffSlot]) -> "_StaffResult":
        result = _StaffResult()
        holders: dict[tuple[str, Role], set[int]] = defaultdict(set)
        load: Counter[int] = Counter()
        names: dict[int, str] = {}
        candidates: dict[tuple[int, Role], set[int]] = defaultdict(set)
        awaiting: dict[tuple[int, Role, int], list[int]] = defaultdict(list)
        for slot in sorted(staff, key=lambda s: s.assignment_id):
            names[slot.person_id] = slot.person_name
            grid = self.by_id.get(slot.grid_id)
            if grid is not None:
                holders[(grid.name, slot.role)].add(slot.person_id)
                load[slot.person_id] += 1
                if not slot.explicit and slot.role in REQUIRED_ROLES:
                    for town_id in grid.staff_towns():
                        candidates[(town_id, slot.role)].add(slot.person_id)
            elif slot.grid_id in self.town_names:
                awaiting[(slot.grid_id, slot.role, slot.person_id)].append(slot.assignment_id)
                candidates[(slot.grid_id, slot.role)].add(slot.person_id)

        def assign(person_id: int, grid: _Grid, role: Role) -> None:
            holders[(grid.name, role)].add(person_id)
            load[person_id] += 1
            result.rows.append((person_id, grid.name, role))
            result.placed.append(StaffPlacement(names[person_id], role, grid.name))

        def town_grids(town_id: int) -> list[_Grid]:
            return [g for g in grids if town_id in g.staff_towns()]

        def holds(person_id: int, town_id: int, role: Role) -> bool:
            return any(person_id in holders[(g.name, role)] for g in town_grids(town_id))

        grids = self.ordered_grids()
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
        final = self.final_grid_names()
        for survey_object in self.objects:
            if survey_object.statistician_id is not None and survey_object.id in final:
                kept_by[survey_object.statistician_id][final[survey_object.id]] += 1
        deputies = sorted(
            (key for key in awaiting if key[1] == Role.GRID_DEPUTY),
            key=lambda key: (self.town_names[key[0]], key[0], names[key[2]], key[2]),
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
            awaiting.items(), key=lambda item: (self.town_names[item[0][0]], item[0])
        ):
            town = self.town_names[town_id]
            if holds(person_id, town_id, role):
                result.ended.extend(assignment_ids)
            elif not town_grids(town_id):
                result.warnings.append(
                    f"{town}尚无三级网格，{role.value} {names[person_id]} 待安排。"
                )
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
                        f"{self.town_names.get(town_id, '')}：{len(missing)} 个网格缺少"
                        f"{role.value}（{'、'.join(missing)}）。"
                    )
        return result

    def plan(self, staff: Sequence[StaffSlot]) -> PartitionPlan:
        self.place_objects()
        staffing = self.place_staff(staff)
        new_grids = [
            PlannedGrid(
                name=g.name,
                parent_id=g.parent_id,
                town=self.town_names[g.parent_id],
                industry=g.industry,
                seq=g.seq or 0,
                cross_town=g.cross_town,
                members=tuple(g.added),
            )
            for g in self.ordered_grids()
            if g.id is None
        ]
        existing = [g for g in self.ordered_grids() if g.id is not None and g.added]
        return PartitionPlan(
            new_grids=new_grids,
            placements={o: g.name for g in self.ordered_grids() for o in g.added},
            grid_kinds={
                g.id: (g.industry, g.cross_town)
                for g in existing
                if g.id is not None and (g.industry, g.cross_town) != self.original_kinds[g.name]
            },
            changed_grids=[GridGrowth(g.name, len(g.added)) for g in existing],
            staff=staffing.rows,
            staff_placed=staffing.placed,
            ended_assignments=sorted(staffing.ended),
            warnings=self.warnings + staffing.warnings,
        )


@dataclass
class _StaffResult:
    rows: list[tuple[int, str, Role]] = field(default_factory=list)
    placed: list[StaffPlacement] = field(default_factory=list)
    ended: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def plan_partition(
    *,
    grids: Sequence[GridSlot],
    objects: Sequence[SurveyObjectSlot],
    staff: Sequence[StaffSlot] = (),
    settings: PartitionSettings = PartitionSettings(),
) -> PartitionPlan:
    """Plan a partition run from plain data; same input (in any order) gives the same plan."""
    return _Planner(grids=grids, objects=objects, settings=settings).plan(staff)


# --- Loading, applying -------------------------------------------------------------------


async def partition(
    *,
    session: AsyncSession,
    settings: PartitionSettings = PartitionSettings(),
    dry_run: bool = False,
) -> PartitionReport:
    """Divide unplaced survey objects into grids and place staff (rules: module docstring).

    Loads in bulk, plans, writes in bulk and commits, all in one transaction; any error rolls
    it back. With `dry_run` it returns the same report and neither writes nor commits. Bulk
    writes bypass the identity map: ORM objects loaded earlier in this session keep old values.
    """
    try:
        if not dry_run:
            await lock_partition(session=session)
        grids = await grid_slots(session=session)
        objects = await survey_object_slots(session=session)
        staff = await open_staff_slots(session=session)
        plan = plan_partition(grids=grids, objects=objects, staff=staff, settings=settings)
        if not dry_run:
            await _apply(session=session, plan=plan, grids=grids)
            await session.commit()
    except BaseException:
        await session.rollback()
        raise
    return plan.report(dry_run=dry_run)


async def _apply(*, session: AsyncSession, plan: PartitionPlan, grids: Sequence[GridSlot]) -> None:
    now = datetime.now(UTC)
    grid_ids = {g.name: g.id for g in grids}
    grid_ids |= await insert_level3_grids(
        session=session,
        grids=[
            NewGridRow(g.name, g.parent_id, g.industry, g.seq, g.cross_town) for g in plan.new_grids
        ],
        created_at=now,
    )
    await set_grid_kinds(session=session, kinds=plan.grid_kinds)
    await place_survey_objects(
        session=session,
        grid_by_object={o: grid_ids[name] for o, name in plan.placements.items()},
    )
    await add_grid_staff(
        session=session,
        staff=[(person_id, grid_ids[name], role) for person_id, name, role in plan.staff],
        started_at=now,
    )
    await end_assignments(session=session, assignment_ids=plan.ended_assignments, ended_at=now)


# --- The tree as text --------------------------------------------------------------------


def _industries(counts: dict[Industry, int]) -> str:
    return "，".join(f"{i.value} {counts[i]}" for i in Industry if counts.get(i))


def _staff(staff: dict[Role, list[str]]) -> str:
    return "；".join(f"{role.value}：{'、'.join(names)}" for role, names in staff.items())


def render_tree(tree: GridTree) -> str:
    """The grid tree as indented Chinese text with counts per node and city totals."""
    city = tree.city_name or "全市"
    lines = [
        f"{city}：{len(tree.towns)} 个乡镇（街道），{tree.grid_count} 个网格，"
        f"调查对象 {tree.objects} 家（未划分 {tree.unplaced} 家），"
        f"网格员 {tree.statisticians} 人（已绑定 {tree.bound} 人）"
    ]
    if tree.staff:
        lines.append(f"  {_staff(tree.staff)}")
    for t_index, town in enumerate(tree.towns):
        last_town = t_index == len(tree.towns) - 1
        branch, stem = ("└─ ", "   ") if last_town else ("├─ ", "│  ")
        lines.append(
            f"{branch}{town.name}：{len(town.grids)} 个网格，调查对象 {town.objects} 家"
            f"（未划分 {town.unplaced_total} 家），网格员 {town.statisticians} 人"
            f"（已绑定 {town.bound} 人）"
        )
        if town.staff:
            lines.append(f"{stem}   {_staff(town.staff)}")
        if town.unplaced:
            lines.append(f"{stem}   未划分：{_industries(town.unplaced)}")
        for g_index, grid in enumerate(town.grids):
            last_grid = g_index == len(town.grids) - 1
            leaf, leaf_stem = ("└─ ", "   ") if last_grid else ("├─ ", "│  ")
            marks = ""
            if grid.cross_town:
                towns = "、".join(f"{name} {n} 家" for name, n in sorted(grid.towns.items()))
                marks = f"（跨区域：{towns}）"
            lines.append(
                f"{stem}{leaf}{grid.name}{marks}：{grid.total} 家（{_industries(grid.objects)}），"
                f"网格员 {grid.statisticians} 人（已绑定 {grid.bound} 人）"
            )
            lines.append(f"{stem}{leaf_stem}   {_staff(grid.staff) or '暂无网格工作人员'}")
    return "\n".join(lines)
