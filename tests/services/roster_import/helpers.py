"""Running an import on the real database and looking at what it wrote."""

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from services.roster_import import import_roster
from services.roster_import.report import (
    ImportReport,
)

CITY = "乐清市"


async def dump(sessions: async_sessionmaker[AsyncSession]) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order."""
    async with sessions() as session:
        connection = await session.connection()
        return {
            table.name: [
                tuple(row)
                for row in await connection.execute(
                    sa.select(table).order_by(*table.primary_key.columns)
                )
            ]
            for table in SQLModel.metadata.sorted_tables
        }


async def row_counts(sessions: async_sessionmaker[AsyncSession]) -> dict[str, int]:
    return {name: len(rows) for name, rows in (await dump(sessions)).items()}


async def run(session: AsyncSession, *paths: Path) -> ImportReport:
    return await import_roster(session=session, paths=list(paths), city_name=CITY)


def cells(report: ImportReport) -> list[tuple[str, int, str]]:
    return [(e.sheet, e.row, e.column) for e in report.errors]
