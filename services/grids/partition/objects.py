"""Placing survey objects into level-3 grids, the first half of a partition run.

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
"""

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import groupby

from models.enums import GridLevel, Industry
from models.grids import CROSS_INDUSTRY_LABEL, CROSS_TOWN_LABEL, INDUSTRY_ORDER, grid_order_key
from models.partition import GridSlot, SurveyObjectSlot
from services.grids.partition.sizes import PartitionSettings, balanced_sizes


@dataclass(eq=False)
class PlanGrid:
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


def object_key(
    town_names: dict[int, str],
) -> Callable[[SurveyObjectSlot], tuple[str, int, int, str]]:
    """Deterministic order: town name, industry as listed in Industry, then USCC."""
    return lambda o: (town_names[o.town_id], o.town_id, INDUSTRY_ORDER[o.industry], o.uscc)


class ObjectPlanner:
    """The grids of the city while a run plans: steps 1-6 above place the unplaced objects."""

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
        self.grids: list[PlanGrid] = []
        self.by_id: dict[int, PlanGrid] = {}
        for slot in sorted(grids, key=lambda g: g.id):
            if slot.level != GridLevel.GRID:
                continue
            grid = PlanGrid(
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
        self.unplaced.sort(key=object_key(self.town_names))
        self.city_pool: list[SurveyObjectSlot] = []

    def town_grids(self, town_id: int) -> list[PlanGrid]:
        return [g for g in self.grids if g.parent_id == town_id or town_id in g.towns]

    def new_grid(
        self, *, parent_id: int, label: str, industry: Industry | None, cross_town: bool
    ) -> PlanGrid:
        prefix = f"{self.town_names[parent_id]}·{label}网格"
        key = (parent_id, label)
        if key not in self.next_seq:
            used = [g.seq for g in self.grids if g.seq is not None and g.name == f"{prefix}{g.seq}"]
            self.next_seq[key] = max(used, default=0) + 1
        seq = self.next_seq[key]
        while f"{prefix}{seq}" in self.taken_names:
            seq += 1
        self.next_seq[key] = seq + 1
        grid = PlanGrid(
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

    def fill(
        self, objects: list[SurveyObjectSlot], grids: list[PlanGrid]
    ) -> list[SurveyObjectSlot]:
        """Put objects into grids below the cap, smallest first; return those left over."""
        open_grids = [g for g in grids if g.size < self.settings.cap]
        left = []
        for survey_object in objects:
            if not open_grids:
                left.append(survey_object)
                continue
            grid = min(open_grids, key=PlanGrid.fill_key)
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

    def join_smallest(self, objects: list[SurveyObjectSlot], grids: list[PlanGrid]) -> None:
        """Keep the objects together in the smallest grid until the cap, then the next one."""
        current: PlanGrid | None = None
        for survey_object in objects:
            if current is None or current.size >= self.settings.cap:
                below_cap = [g for g in grids if g.size < self.settings.cap]
                current = min(below_cap or grids, key=PlanGrid.fill_key)
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
        pool = sorted(self.city_pool, key=object_key(self.town_names))
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

    def ordered_grids(self) -> list[PlanGrid]:
        return sorted(
            self.grids,
            key=lambda g: (self.town_names.get(g.parent_id, ""), g.parent_id, g.order_key()),
        )

    def final_grid_names(self) -> dict[int, str]:
        """Survey object id -> level-3 grid name, after this plan."""
        names = {o.id: self.by_id[o.grid_id].name for o in self.objects if o.grid_id in self.by_id}
        names.update((object_id, g.name) for g in self.grids for object_id in g.added)
        return names
