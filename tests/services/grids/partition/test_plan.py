"""The partition's pure planner on plain data."""

import random
from itertools import count

import pytest

from models.enums import GridLevel, Industry, Role
from models.partition import GridSlot, StaffSlot, SurveyObjectSlot
from services.grids.partition.plan import plan_partition
from services.grids.partition.report import PartitionPlan
from services.grids.partition.sizes import PartitionSettings, balanced_sizes

IND = Industry.INDUSTRY
TRADE = Industry.TRADE
SERVICE = Industry.SERVICE


CITY = GridSlot(1, GridLevel.CITY, "乐清市", None)


class Plain:
    """Plain planner input: towns by name, survey objects with increasing USCCs."""

    def __init__(self) -> None:
        self.grids: list[GridSlot] = [CITY]
        self.objects: list[SurveyObjectSlot] = []
        self.staff: list[StaffSlot] = []
        self.town_ids: dict[str, int] = {}
        self._ids = count(100)

    def town(self, name: str) -> int:
        town_id = next(self._ids)
        self.grids.append(GridSlot(town_id, GridLevel.TOWN, name, CITY.id))
        self.town_ids[name] = town_id
        return town_id

    def grid(self, town: str, name: str, industry: Industry | None, seq: int) -> int:
        grid_id = next(self._ids)
        parent = self.town_ids[town]
        self.grids.append(GridSlot(grid_id, GridLevel.GRID, name, parent, industry, seq))
        return grid_id

    def add(
        self, town: str, industry: Industry, n: int, *, grid_id: int | None = None
    ) -> list[int]:
        ids = []
        for _ in range(n):
            object_id = next(self._ids)
            uscc = f"91330382{object_id:010d}"
            town_id = self.town_ids[town]
            self.objects.append(SurveyObjectSlot(object_id, uscc, industry, town_id, grid_id))
            ids.append(object_id)
        return ids

    def plan(self, settings: PartitionSettings | None = None) -> PartitionPlan:
        return plan_partition(
            grids=self.grids,
            objects=self.objects,
            staff=self.staff,
            settings=settings or PartitionSettings(),
        )


def sizes(plan: PartitionPlan) -> dict[str, int]:
    return {grid.name: len(grid.members) for grid in plan.new_grids}


@pytest.mark.parametrize(
    ("n", "expected"),
    [
        (45, [23, 22]),
        (20, [20]),
        (26, [26]),
        (30, [15, 15]),
        (70, [18, 18, 17, 17]),
        (10, [10]),
        (49, [25, 24]),
        (50, [17, 17, 16]),
    ],
)
def test_balanced_sizes(n: int, expected: list[int]) -> None:
    assert balanced_sizes(n, 20) == expected


@pytest.mark.parametrize(
    ("n", "expected"),
    [(45, [23, 22]), (20, [20]), (26, [26]), (30, [15, 15]), (70, [18, 18, 17, 17])],
)
def test_one_industry_forms_balanced_grids_in_uscc_order(n: int, expected: list[int]) -> None:
    world = Plain()
    world.town("虹桥镇")
    ids = world.add("虹桥镇", IND, n)

    plan = world.plan()

    names = [f"虹桥镇·工业网格{i}" for i in range(1, len(expected) + 1)]
    assert sizes(plan) == dict(zip(names, expected, strict=True))
    assert all(grid.industry == IND and not grid.cross_town for grid in plan.new_grids)
    # Consecutive USCCs stay together: the first grid takes the first ones.
    assert plan.new_grids[0].members == tuple(ids[: expected[0]])
    assert len(plan.placements) == n
    assert plan.warnings == [
        f"虹桥镇：{len(expected)} 个网格缺少网格长（{'、'.join(names)}）。",
        f"虹桥镇：{len(expected)} 个网格缺少网格指导员（{'、'.join(names)}）。",
    ]


def test_small_industries_are_pooled_into_a_cross_industry_grid() -> None:
    world = Plain()
    world.town("虹桥镇")
    world.add("虹桥镇", IND, 25)
    trade = world.add("虹桥镇", TRADE, 6)
    service = world.add("虹桥镇", SERVICE, 5)

    plan = world.plan()

    assert sizes(plan) == {"虹桥镇·工业网格1": 25, "虹桥镇·综合网格1": 11}
    mixed = plan.new_grids[1]
    assert mixed.industry is None
    assert mixed.members == tuple(trade + service)


def test_small_pool_joins_the_smallest_grid_which_becomes_cross_industry() -> None:
    world = Plain()
    world.town("虹桥镇")
    world.add("虹桥镇", IND, 30)
    trade = world.add("虹桥镇", TRADE, 4)

    plan = world.plan()

    assert sizes(plan) == {"虹桥镇·工业网格1": 19, "虹桥镇·工业网格2": 15}
    first, second = plan.new_grids
    assert (first.industry, second.industry) == (None, IND)
    assert {plan.placements[o] for o in trade} == {"虹桥镇·工业网格1"}


def test_small_pool_spills_to_the_next_grid_at_the_cap() -> None:
    world = Plain()
    world.town("虹桥镇")
    world.add("虹桥镇", IND, 45)
    world.add("虹桥镇", TRADE, 4)

    plan = world.plan()

    # 22 + 3 reaches the cap of 25; the last one goes to the next smallest grid.
    assert sizes(plan) == {"虹桥镇·工业网格1": 24, "虹桥镇·工业网格2": 25}
    assert not any("超过上限" in warning for warning in plan.warnings)


def test_tiny_towns_are_pooled_into_a_cross_town_grid_with_a_warning() -> None:
    world = Plain()
    for town in ("A镇", "B镇", "C镇", "D镇"):
        world.town(town)
    world.add("A镇", IND, 3)
    world.add("B镇", TRADE, 4)
    world.add("C镇", SERVICE, 5)
    world.add("D镇", IND, 20)

    plan = world.plan()

    assert sizes(plan) == {"C镇·跨区域网格1": 12, "D镇·工业网格1": 20}
    cross = plan.new_grids[0]
    assert cross.cross_town
    assert cross.industry is None
    assert cross.parent_id == world.town_ids["C镇"]
    assert (
        "以下乡镇（街道）调查对象不足 10 家且没有网格，已跨区域划分：A镇 3 家、B镇 4 家、C镇 5 家；"
        "划入 C镇·跨区域网格1（12 家）。"
    ) in plan.warnings


def test_tiny_towns_below_the_minimum_join_the_smallest_grid_of_the_city() -> None:
    world = Plain()
    for town in ("A镇", "B镇", "D镇"):
        world.town(town)
    world.add("A镇", IND, 2)
    world.add("B镇", IND, 3)
    world.add("D镇", IND, 30)

    plan = world.plan()

    assert sizes(plan) == {"D镇·工业网格1": 20, "D镇·工业网格2": 15}
    joined = plan.new_grids[0]
    assert joined.cross_town
    assert joined.industry == IND
    assert (
        "以下乡镇（街道）调查对象不足 10 家且没有网格，已跨区域划分：A镇 2 家、B镇 3 家；"
        "划入 D镇·工业网格1（5 家）。"
    ) in plan.warnings


def test_a_last_resort_join_beyond_the_cap_is_warned() -> None:
    world = Plain()
    for town in ("A镇", "D镇"):
        world.town(town)
    world.add("A镇", TRADE, 3)
    world.add("D镇", IND, 25)

    plan = world.plan()

    assert sizes(plan) == {"D镇·工业网格1": 28}
    assert plan.new_grids[0].industry is None
    assert "D镇·工业网格1 已有 28 家，超过上限 25 家，请考虑调整网格。" in plan.warnings


def test_the_plan_does_not_depend_on_input_order() -> None:
    world = Plain()
    for town in ("虹桥镇", "柳市镇", "A镇", "B镇"):
        world.town(town)
    for town, industry, n in [
        ("虹桥镇", IND, 70),
        ("虹桥镇", TRADE, 12),
        ("虹桥镇", SERVICE, 3),
        ("柳市镇", TRADE, 26),
        ("柳市镇", Industry.REAL_ESTATE, 7),
        ("A镇", IND, 4),
        ("B镇", Industry.CONSTRUCTION, 8),
    ]:
        world.add(town, industry, n)
    for i, town in enumerate(("虹桥镇", "柳市镇")):
        for j, role in enumerate((Role.GRID_HEAD, Role.INSTRUCTOR, Role.GRID_HEAD)):
            person = 1000 + 10 * i + j
            slot = StaffSlot(person, person, f"干部{person}", role, world.town_ids[town])
            world.staff.append(slot)
    expected = world.plan()

    rng = random.Random(7)
    for _ in range(5):
        rng.shuffle(world.objects)
        rng.shuffle(world.grids)
        rng.shuffle(world.staff)
        assert world.plan() == expected


def test_existing_grids_are_filled_to_the_cap_and_new_ones_take_the_next_seq() -> None:
    world = Plain()
    world.town("虹桥镇")
    first = world.grid("虹桥镇", "虹桥镇·工业网格1", IND, 1)
    world.add("虹桥镇", IND, 20, grid_id=first)
    new = world.add("虹桥镇", IND, 17)

    plan = world.plan()

    # 5 fill the existing grid to 25; the 12 left are enough for a grid of their own.
    assert [plan.placements[o] for o in new[:5]] == ["虹桥镇·工业网格1"] * 5
    assert sizes(plan) == {"虹桥镇·工业网格2": 12}
    assert plan.new_grids[0].seq == 2
    assert [(g.name, g.added) for g in plan.changed_grids] == [("虹桥镇·工业网格1", 5)]


def test_a_grid_id_pointing_at_a_town_counts_as_unplaced() -> None:
    world = Plain()
    town = world.town("虹桥镇")
    world.add("虹桥镇", IND, 12, grid_id=town)

    plan = world.plan()

    assert sizes(plan) == {"虹桥镇·工业网格1": 12}


def test_new_objects_of_a_tiny_town_join_its_cross_town_grid() -> None:
    world = Plain()
    for town in ("A镇", "B镇"):
        world.town(town)
    cross = world.grid("A镇", "A镇·跨区域网格1", None, 1)
    world.add("A镇", IND, 6, grid_id=cross)
    world.add("B镇", TRADE, 6, grid_id=cross)
    new = world.add("B镇", SERVICE, 2)

    plan = world.plan()

    assert plan.new_grids == []
    assert [plan.placements[o] for o in new] == ["A镇·跨区域网格1"] * 2
    assert plan.warnings == [
        "A镇：1 个网格缺少网格长（A镇·跨区域网格1）。",
        "A镇：1 个网格缺少网格指导员（A镇·跨区域网格1）。",
    ]


def test_settings_change_the_sizes() -> None:
    world = Plain()
    world.town("虹桥镇")
    world.add("虹桥镇", IND, 12)

    plan = world.plan(PartitionSettings(target_size=6, min_size=3, cap=8))

    assert sizes(plan) == {"虹桥镇·工业网格1": 6, "虹桥镇·工业网格2": 6}


def test_settings_must_be_ordered() -> None:
    with pytest.raises(ValueError, match="min_size"):
        PartitionSettings(target_size=5, min_size=10)
