"""Grid queries on the real database."""

from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import Industry, Role
from models.grids import (
    GridMemberRow,
    city_grid,
    grid_by_name,
    grid_members,
    grid_order_key,
    grid_staff,
    grids_covering,
    level3_grids,
    towns,
)
from tests.models.conftest import Tree


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
