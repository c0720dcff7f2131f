"""Grid tree queries on the real database."""

from datetime import UTC, datetime
from itertools import count

import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import GridLevel, Industry, Role, Scale
from models.grids import (
    GridMemberRow,
    city_grid,
    grid_by_name,
    grid_members,
    grid_order_key,
    grid_staff,
    grid_tree,
    grids_covering,
    level3_grids,
    towns,
)
from models.tables import Assignment, Grid, Person, SurveyObject, TelegramBinding

_numbers = count(1)


def _id(row: Grid | Person) -> int:
    assert row.id is not None
    return row.id


class Tree:
    """乐清市 with 虹桥镇 (两个工业网格, 一个综合网格) and 柳市镇 (一个跨区域网格)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def build(self) -> None:
        s = self.session
        self.city = Grid(level=GridLevel.CITY, name="乐清市")
        s.add(self.city)
        await s.flush()
        self.hongqiao = Grid(level=GridLevel.TOWN, name="虹桥镇", parent_id=self.city.id)
        self.liushi = Grid(level=GridLevel.TOWN, name="柳市镇", parent_id=self.city.id)
        s.add_all([self.hongqiao, self.liushi])
        await s.flush()
        self.mixed = self.grid(self.hongqiao, "虹桥镇·综合网格1", None, 1)
        self.second = self.grid(self.hongqiao, "虹桥镇·工业网格2", Industry.INDUSTRY, 2)
        self.first = self.grid(self.hongqiao, "虹桥镇·工业网格1", Industry.INDUSTRY, 1)
        self.cross = self.grid(self.liushi, "柳市镇·跨区域网格1", None, 1, cross_town=True)
        await s.flush()
        self.bound = await self.person("已绑定")
        self.unbound = await self.person("未绑定")
        self.head = await self.person("网格长")
        s.add(TelegramBinding(person_id=_id(self.bound), telegram_user_id=1))
        # An ended binding does not count.
        s.add(
            TelegramBinding(
                person_id=_id(self.unbound), telegram_user_id=2, ended_at=datetime.now(UTC)
            )
        )
        self.enterprise(self.hongqiao, self.first, "乙企业", Industry.INDUSTRY, self.bound)
        self.enterprise(self.hongqiao, self.first, "甲企业", Industry.TRADE, self.unbound)
        self.enterprise(self.hongqiao, self.first, "丙企业", Industry.INDUSTRY, None)
        self.enterprise(self.hongqiao, self.second, "丁企业", Industry.INDUSTRY, self.bound)
        self.enterprise(self.hongqiao, self.cross, "戊企业", Industry.SERVICE, None)
        self.enterprise(self.liushi, self.cross, "己企业", Industry.SERVICE, None)
        self.enterprise(self.liushi, None, "庚企业", Industry.TRADE, None)
        s.add_all(
            [
                Assignment(person_id=_id(self.head), grid_id=_id(self.first), role=Role.GRID_HEAD),
                Assignment(
                    person_id=_id(self.unbound), grid_id=_id(self.first), role=Role.GRID_DEPUTY
                ),
                Assignment(
                    person_id=_id(self.bound),
                    grid_id=_id(self.first),
                    role=Role.INSTRUCTOR,
                    ended_at=datetime.now(UTC),
                ),
                Assignment(person_id=_id(self.head), grid_id=_id(self.second), role=Role.GRID_HEAD),
                Assignment(
                    person_id=_id(self.bound), grid_id=_id(self.liushi), role=Role.INSTRUCTOR
                ),
                Assignment(
                    person_id=_id(self.unbound), grid_id=_id(self.city), role=Role.CITY_HEAD
                ),
            ]
        )
        await s.commit()

    def grid(
        self,
        town: Grid,
        name: str,
        industry: Industry | None,
        seq: int,
        *,
        cross_town: bool = False,
    ) -> Grid:
        grid = Grid(
            level=GridLevel.GRID,
            name=name,
            parent_id=town.id,
            industry=industry,
            seq=seq,
            cross_town=cross_town,
        )
        self.session.add(grid)
        return grid

    async def person(self, name: str) -> Person:
        person = Person(name=name, mobile=f"138{next(_numbers):08d}")
        self.session.add(person)
        await self.session.flush()
        return person

    def enterprise(
        self,
        town: Grid,
        grid: Grid | None,
        name: str,
        industry: Industry,
        statistician: Person | None,
    ) -> None:
        assert town.id is not None
        self.session.add(
            SurveyObject(
                name=name,
                uscc=f"91330382{next(_numbers):010d}",
                industry=industry,
                scale=Scale.ABOVE_SCALE,
                town_id=town.id,
                grid_id=grid.id if grid else None,
                statistician_id=statistician.id if statistician else None,
            )
        )


@pytest.fixture
async def tree(session: AsyncSession) -> Tree:
    built = Tree(session)
    await built.build()
    return built


async def test_city_and_towns(session: AsyncSession, tree: Tree) -> None:
    city = await city_grid(session=session)
    assert city is not None
    assert city.id == tree.city.id
    assert [t.name for t in await towns(session=session)] == ["柳市镇", "虹桥镇"]


async def test_level3_grids_by_town_in_listing_order(session: AsyncSession, tree: Tree) -> None:
    assert tree.hongqiao.id is not None
    hongqiao = await level3_grids(session=session, town_ids=[tree.hongqiao.id])
    assert [g.name for g in hongqiao] == [
        "虹桥镇·工业网格1",
        "虹桥镇·工业网格2",
        "虹桥镇·综合网格1",
    ]
    assert len(await level3_grids(session=session)) == 4
    assert await level3_grids(session=session, town_ids=[]) == []


def test_grid_order_key_follows_the_name_not_the_industry() -> None:
    grids = [
        ("镇·跨区域网格1", 1),
        ("镇·综合网格1", 1),
        ("镇·工业网格10", 10),
        ("镇·贸易网格1", 1),
        ("镇·工业网格2", 2),
    ]
    keyed = sorted(grids, key=lambda item: grid_order_key(name=item[0], seq=item[1]))
    assert [name for name, _ in keyed] == [
        "镇·工业网格2",
        "镇·工业网格10",
        "镇·贸易网格1",
        "镇·综合网格1",
        "镇·跨区域网格1",
    ]


async def test_grid_by_name(session: AsyncSession, tree: Tree) -> None:
    found = await grid_by_name(session=session, name="虹桥镇·工业网格2")
    assert found is not None
    assert found.id == tree.second.id
    assert await grid_by_name(session=session, name="不存在") is None


async def test_grids_covering_a_person(session: AsyncSession, tree: Tree) -> None:
    assert tree.bound.id is not None
    assert tree.head.id is not None
    assert tree.unbound.id is not None
    # Statistician of 乙企业 and 丁企业; the ended instructor post and the town post don't count.
    bound = await grids_covering(session=session, person_id=tree.bound.id)
    assert [g.name for g in bound] == ["虹桥镇·工业网格1", "虹桥镇·工业网格2"]
    head = await grids_covering(session=session, person_id=tree.head.id)
    assert [g.name for g in head] == ["虹桥镇·工业网格1", "虹桥镇·工业网格2"]
    unbound = await grids_covering(session=session, person_id=tree.unbound.id)
    assert [g.name for g in unbound] == ["虹桥镇·工业网格1"]


async def test_grid_members_with_statistician_and_binding(
    session: AsyncSession, tree: Tree
) -> None:
    assert tree.first.id is not None
    members = await grid_members(session=session, grid_id=tree.first.id)
    assert [(m.name, m.statistician_name, m.bound) for m in members] == [
        ("丙企业", None, False),
        ("乙企业", "已绑定", True),
        ("甲企业", "未绑定", False),
    ]
    assert isinstance(members[1], GridMemberRow)
    assert members[1].statistician_mobile == tree.bound.mobile
    assert members[2].industry == Industry.TRADE
    assert tree.mixed.id is not None
    assert await grid_members(session=session, grid_id=tree.mixed.id) == []


async def test_grid_staff_lists_current_staff_by_role(session: AsyncSession, tree: Tree) -> None:
    assert tree.first.id is not None
    assert tree.mixed.id is not None
    assert tree.liushi.id is not None
    staff = await grid_staff(
        session=session, grid_ids=[tree.first.id, tree.mixed.id, tree.liushi.id]
    )
    assert {grid_id: [(r, p.name) for r, p in rows] for grid_id, rows in staff.items()} == {
        tree.first.id: [(Role.GRID_HEAD, "网格长"), (Role.GRID_DEPUTY, "未绑定")],
        tree.mixed.id: [],
        tree.liushi.id: [(Role.INSTRUCTOR, "已绑定")],
    }
    assert await grid_staff(session=session, grid_ids=[]) == {}


@pytest.mark.usefixtures("tree")
async def test_grid_tree_counts(session: AsyncSession) -> None:
    result = await grid_tree(session=session)

    assert result.city_name == "乐清市"
    assert result.staff == {Role.CITY_HEAD: ["未绑定"]}
    assert (result.objects, result.unplaced, result.statisticians, result.bound) == (7, 1, 2, 1)
    assert result.grid_count == 4
    liushi, hongqiao = result.towns
    assert (liushi.name, liushi.objects, liushi.unplaced, liushi.staff) == (
        "柳市镇",
        2,
        {Industry.TRADE: 1},
        {Role.INSTRUCTOR: ["已绑定"]},
    )
    [cross] = liushi.grids
    # The cross-town grid counts members from both towns.
    assert (cross.name, cross.cross_town, cross.objects, cross.towns) == (
        "柳市镇·跨区域网格1",
        True,
        {Industry.SERVICE: 2},
        {"柳市镇": 1, "虹桥镇": 1},
    )
    assert hongqiao.objects == 5
    assert (hongqiao.statisticians, hongqiao.bound) == (2, 1)
    assert [g.name for g in hongqiao.grids] == [
        "虹桥镇·工业网格1",
        "虹桥镇·工业网格2",
        "虹桥镇·综合网格1",
    ]
    first = hongqiao.grids[0]
    assert first.objects == {Industry.INDUSTRY: 2, Industry.TRADE: 1}
    assert first.total == 3
    assert (first.statisticians, first.bound) == (2, 1)
    assert first.staff == {Role.GRID_HEAD: ["网格长"], Role.GRID_DEPUTY: ["未绑定"]}
    assert hongqiao.grids[2].total == 0


async def test_grid_tree_of_an_empty_database(session: AsyncSession) -> None:
    result = await grid_tree(session=session)
    assert result.city_name is None
    assert result.towns == []
    assert (result.objects, result.statisticians, result.grid_count) == (0, 0, 0)
