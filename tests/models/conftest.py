"""A small grid tree on the real database, shared by the grid query tests."""

from datetime import UTC, datetime
from itertools import count

import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import GridLevel, Industry, Role, Scale
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
