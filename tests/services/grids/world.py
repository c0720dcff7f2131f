"""Roster rows inserted directly into the real database, for the partition and tree tests."""

from itertools import count
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import GridLevel, Industry, Role, Scale
from models.tables import Assignment, Grid, Person, SurveyObject

IND = Industry.INDUSTRY
TRADE = Industry.TRADE
SERVICE = Industry.SERVICE


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
