"""The partition: the pure planner on plain data, then partition() on the real database."""

import random
from collections import Counter
from itertools import count
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import GridLevel, Industry, Role, Scale
from models.grids import GridSlot, StaffSlot, SurveyObjectSlot, grid_tree
from models.tables import Assignment, Grid, Person, SurveyObject, TelegramBinding
from services.partition import (
    PartitionPlan,
    PartitionSettings,
    balanced_sizes,
    partition,
    plan_partition,
    render_tree,
)

IND = Industry.INDUSTRY
TRADE = Industry.TRADE
SERVICE = Industry.SERVICE

# --- The pure planner --------------------------------------------------------------------

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


# --- partition() on the real database ------------------------------------------------------


class World:
    """Roster rows inserted directly: towns, enterprises, people, assignments."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._n = count(1)
        self.city = Grid(level=GridLevel.CITY, name="乐清市")
        session.add(self.city)

    async def town(self, name: str) -> Grid:
        await self.session.flush()
        town = Grid(level=GridLevel.TOWN, name=name, parent_id=self.city.id)
        self.session.add(town)
        await self.session.flush()
        return town

    async def person(self, name: str) -> Person:
        person = Person(name=name, mobile=f"138{next(self._n):08d}")
        self.session.add(person)
        await self.session.flush()
        return person

    async def enterprises(
        self, town: Grid, industry: Industry, n: int, *, statistician: Person | None = None
    ) -> list[SurveyObject]:
        assert town.id is not None
        rows = []
        for _ in range(n):
            i = next(self._n)
            rows.append(
                SurveyObject(
                    name=f"{town.name}企业{i}",
                    uscc=f"91330382{i:010d}",
                    industry=industry,
                    scale=Scale.ABOVE_SCALE,
                    town_id=town.id,
                    statistician_id=statistician.id if statistician else None,
                )
            )
        self.session.add_all(rows)
        await self.session.flush()
        return rows

    async def assign(
        self, person: Person, grid: Grid, role: Role, *, explicit: bool = False
    ) -> Assignment:
        assert person.id is not None
        assert grid.id is not None
        assignment = Assignment(person_id=person.id, grid_id=grid.id, role=role, explicit=explicit)
        self.session.add(assignment)
        await self.session.flush()
        return assignment


async def grid_of(sessions: async_sessionmaker[AsyncSession]) -> dict[str, str | None]:
    """USCC -> grid name, read in a fresh session."""
    async with sessions() as session:
        rows = await session.exec(
            select(SurveyObject.uscc, Grid.name).outerjoin(
                Grid, col(Grid.id) == col(SurveyObject.grid_id)
            )
        )
        return dict(rows.all())


async def live_staff(sessions: async_sessionmaker[AsyncSession]) -> set[tuple[str, Role, str]]:
    """(person, role, grid) of every non-ended assignment."""
    async with sessions() as session:
        rows = await session.exec(
            select(Person.name, Assignment.role, Grid.name)
            .join(Person, col(Person.id) == col(Assignment.person_id))
            .join(Grid, col(Grid.id) == col(Assignment.grid_id))
            .where(col(Assignment.ended_at).is_(None))
        )
        return {(person, Role(role), grid) for person, role, grid in rows.all()}


async def dump(sessions: async_sessionmaker[AsyncSession]) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table."""
    tables: dict[str, list[dict[str, Any]]] = {}
    async with sessions() as session:
        connection = await session.connection()
        for table in SQLModel.metadata.sorted_tables:
            result = await connection.execute(sa.select(table).order_by(*table.primary_key))
            tables[table.name] = [dict(row._mapping) for row in result]
    return tables


async def test_rerun_puts_new_enterprises_in_existing_grids_and_moves_nobody(
    session: AsyncSession, sessions: async_sessionmaker[AsyncSession]
) -> None:
    world = World(session)
    hongqiao = await world.town("虹桥镇")
    liushi = await world.town("柳市镇")
    await world.enterprises(hongqiao, IND, 45)
    await world.enterprises(hongqiao, TRADE, 3)
    await world.enterprises(liushi, TRADE, 30)
    await session.commit()

    first = await partition(session=session)

    assert [g.name for g in first.new_grids] == [
        "柳市镇·贸易网格1",
        "柳市镇·贸易网格2",
        "虹桥镇·工业网格1",
        "虹桥镇·工业网格2",
    ]
    assert first.placed == 78
    before = await grid_of(sessions)
    assert Counter(before.values()) == {
        "柳市镇·贸易网格1": 15,
        "柳市镇·贸易网格2": 15,
        "虹桥镇·工业网格1": 23,
        "虹桥镇·工业网格2": 25,
    }

    added = [
        *await world.enterprises(hongqiao, IND, 2),
        *await world.enterprises(liushi, TRADE, 1),
    ]
    await session.commit()
    second = await partition(session=session)

    after = await grid_of(sessions)
    assert {k: v for k, v in after.items() if k in before} == before
    assert [after[o.uscc] for o in added] == [
        "虹桥镇·工业网格1",
        "虹桥镇·工业网格1",
        "柳市镇·贸易网格1",
    ]
    assert second.new_grids == []
    assert second.placed == 3
    assert [(g.name, g.added) for g in second.changed_grids] == [
        ("柳市镇·贸易网格1", 1),
        ("虹桥镇·工业网格1", 2),
    ]
    async with sessions() as fresh:
        level3 = select(Grid.name, Grid.industry).where(Grid.level == GridLevel.GRID)
        kinds = dict((await fresh.exec(level3)).all())
        # The smallest grid took the 3 trade enterprises and became cross-industry.
        assert kinds == {
            "柳市镇·贸易网格1": TRADE,
            "柳市镇·贸易网格2": TRADE,
            "虹桥镇·工业网格1": IND,
            "虹桥镇·工业网格2": None,
        }


async def test_new_grids_follow_the_existing_seq_of_their_town_and_kind(
    session: AsyncSession, sessions: async_sessionmaker[AsyncSession]
) -> None:
    world = World(session)
    town = await world.town("虹桥镇")
    await world.enterprises(town, IND, 20)
    await world.enterprises(town, TRADE, 10)
    await session.commit()
    await partition(session=session)

    await world.enterprises(town, IND, 25)
    await world.enterprises(town, SERVICE, 6)
    await world.enterprises(town, Industry.REAL_ESTATE, 6)
    await session.commit()
    report = await partition(session=session)

    # 5 top up 工业网格1 to the cap; 20 left form 工业网格2; the 12 small ones a 综合网格.
    assert [(g.name, g.industry, g.size) for g in report.new_grids] == [
        ("虹桥镇·工业网格2", IND, 20),
        ("虹桥镇·综合网格1", None, 12),
    ]
    assert Counter((await grid_of(sessions)).values())["虹桥镇·工业网格1"] == 25


async def test_dry_run_writes_nothing_and_reports_the_same_plan(
    session: AsyncSession, sessions: async_sessionmaker[AsyncSession]
) -> None:
    world = World(session)
    town = await world.town("虹桥镇")
    tiny = await world.town("大荆镇")
    head = await world.person("张网格长")
    await world.assign(head, town, Role.GRID_HEAD)
    await world.enterprises(town, IND, 45)
    await world.enterprises(tiny, TRADE, 9)
    await session.commit()
    before = await dump(sessions)

    dry = await partition(session=session, dry_run=True)

    assert await dump(sessions) == before
    assert dry.dry_run
    assert dry.render().startswith("统计网格划分（试运行，未写入数据库）")
    real = await partition(session=session)
    assert not real.dry_run
    assert (dry.new_grids, dry.placed, dry.changed_grids, dry.staff_placed, dry.warnings) == (
        real.new_grids,
        real.placed,
        real.changed_grids,
        real.staff_placed,
        real.warnings,
    )
    assert await dump(sessions) != before


async def test_staff_are_spread_so_every_grid_has_a_head_and_an_instructor(
    session: AsyncSession, sessions: async_sessionmaker[AsyncSession]
) -> None:
    world = World(session)
    town = await world.town("虹桥镇")
    heads = [await world.person(name) for name in ("网格长一", "网格长二")]
    instructor = await world.person("丙")
    deputy_with_enterprise = await world.person("丁")
    other_deputy = await world.person("戊")
    for head in heads:
        await world.assign(head, town, Role.GRID_HEAD)
    awaiting = [
        await world.assign(instructor, town, Role.INSTRUCTOR),
        await world.assign(deputy_with_enterprise, town, Role.GRID_DEPUTY),
        await world.assign(other_deputy, town, Role.GRID_DEPUTY),
    ]
    await world.enterprises(town, IND, 69)
    # The 70th USCC sorts last, so this enterprise lands in the fourth grid.
    own = await world.enterprises(town, IND, 1, statistician=deputy_with_enterprise)
    await session.commit()

    report = await partition(session=session)

    grids = [f"虹桥镇·工业网格{i}" for i in range(1, 5)]
    assert (await grid_of(sessions))[own[0].uscc] == grids[3]
    staff = await live_staff(sessions)
    assert staff == {
        ("网格长一", Role.GRID_HEAD, grids[0]),
        ("网格长二", Role.GRID_HEAD, grids[1]),
        ("网格长一", Role.GRID_HEAD, grids[2]),
        ("网格长二", Role.GRID_HEAD, grids[3]),
        *(("丙", Role.INSTRUCTOR, grid) for grid in grids),
        ("丁", Role.GRID_DEPUTY, grids[3]),
        ("戊", Role.GRID_DEPUTY, grids[0]),
    }
    assert len(report.staff_placed) == 10
    assert report.warnings == []
    async with sessions() as fresh:
        ended = await fresh.exec(
            select(Assignment).where(col(Assignment.id).in_([a.id for a in awaiting]))
        )
        assert all(a.ended_at is not None for a in ended.all())
        placed = await fresh.exec(select(Assignment).where(col(Assignment.ended_at).is_(None)))
        assert not any(a.explicit for a in placed.all())


async def test_explicit_assignments_stay_and_count_and_placed_staff_never_move(
    session: AsyncSession, sessions: async_sessionmaker[AsyncSession]
) -> None:
    world = World(session)
    town = await world.town("虹桥镇")
    await world.enterprises(town, IND, 40)
    await session.commit()
    await partition(session=session)
    async with sessions() as fresh:
        first_grid = (await fresh.exec(select(Grid).where(Grid.name == "虹桥镇·工业网格1"))).one()
    named = await world.person("指定网格长")
    explicit = await world.assign(named, first_grid, Role.GRID_HEAD, explicit=True)
    town_head = await world.person("镇网格长")
    await world.assign(town_head, town, Role.GRID_HEAD)
    guide = await world.person("指导员")
    await world.assign(guide, town, Role.INSTRUCTOR)
    await session.commit()

    await partition(session=session)
    staff_after_first = await live_staff(sessions)
    assert staff_after_first == {
        ("指定网格长", Role.GRID_HEAD, "虹桥镇·工业网格1"),
        ("镇网格长", Role.GRID_HEAD, "虹桥镇·工业网格2"),
        ("指导员", Role.INSTRUCTOR, "虹桥镇·工业网格1"),
        ("指导员", Role.INSTRUCTOR, "虹桥镇·工业网格2"),
    }

    # Enough new enterprises for a third grid: it gets staff, nobody else moves.
    await world.enterprises(town, IND, 20)
    await session.commit()
    report = await partition(session=session)

    assert [g.name for g in report.new_grids] == ["虹桥镇·工业网格3"]
    assert await live_staff(sessions) == staff_after_first | {
        ("镇网格长", Role.GRID_HEAD, "虹桥镇·工业网格3"),
        ("指导员", Role.INSTRUCTOR, "虹桥镇·工业网格3"),
    }
    async with sessions() as fresh:
        kept = await fresh.get(Assignment, explicit.id)
        assert kept is not None
        assert (kept.grid_id, kept.explicit, kept.ended_at) == (first_grid.id, True, None)


async def test_grids_without_staff_and_unneeded_staff_are_warned(
    session: AsyncSession,
) -> None:
    world = World(session)
    hongqiao = await world.town("虹桥镇")
    liushi = await world.town("柳市镇")
    await world.enterprises(hongqiao, IND, 20)
    await world.enterprises(liushi, TRADE, 40)
    head = await world.person("甲")
    await world.assign(head, liushi, Role.GRID_HEAD)
    deputy = await world.person("副一")
    await world.assign(deputy, hongqiao, Role.GRID_DEPUTY)
    spare = await world.person("副二")
    await world.assign(spare, hongqiao, Role.GRID_DEPUTY)
    await session.commit()

    report = await partition(session=session)

    assert report.warnings == [
        "虹桥镇各网格均已有副网格长，副二 暂未安排网格。",
        "柳市镇：2 个网格缺少网格指导员（柳市镇·贸易网格1、柳市镇·贸易网格2）。",
        "虹桥镇：1 个网格缺少网格长（虹桥镇·工业网格1）。",
        "虹桥镇：1 个网格缺少网格指导员（虹桥镇·工业网格1）。",
    ]
    assert "提醒：" in report.render()


async def test_render_tree_shows_counts_per_node_and_totals(session: AsyncSession) -> None:
    world = World(session)
    hongqiao = await world.town("虹桥镇")
    liushi = await world.town("柳市镇")
    keeper = await world.person("统计员甲")
    bound = await world.person("统计员乙")
    assert bound.id is not None
    session.add(TelegramBinding(person_id=bound.id, telegram_user_id=42))
    await world.enterprises(hongqiao, IND, 18, statistician=keeper)
    await world.enterprises(hongqiao, TRADE, 2, statistician=bound)
    head = await world.person("张三")
    await world.assign(head, hongqiao, Role.GRID_HEAD)
    await session.commit()
    await partition(session=session)
    # Added after the partition: still unplaced.
    await world.enterprises(liushi, SERVICE, 3)
    await session.commit()

    text = render_tree(await grid_tree(session=session))

    assert text.splitlines() == [
        "乐清市：2 个乡镇（街道），1 个网格，调查对象 23 家（未划分 3 家），"
        "网格员 2 人（已绑定 1 人）",
        "├─ 柳市镇：0 个网格，调查对象 3 家（未划分 3 家），网格员 0 人（已绑定 0 人）",
        "│     未划分：服务业 3",
        "└─ 虹桥镇：1 个网格，调查对象 20 家（未划分 0 家），网格员 2 人（已绑定 1 人）",
        "   └─ 虹桥镇·工业网格1：20 家（工业 18，贸易 2），网格员 2 人（已绑定 1 人）",
        "         网格长：张三",
    ]


def test_settings_must_be_ordered() -> None:
    with pytest.raises(ValueError, match="min_size"):
        PartitionSettings(target_size=5, min_size=10)
