"""The grid tree with counts, on the real database."""

import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import Industry, Role
from models.grid_tree import grid_tree


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
