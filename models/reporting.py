"""Query functions for 联网直报 deadline reminders: who keeps which enterprise's statistics."""

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import Industry
from models.tables import Person, SurveyObject, still_on_grid


async def _execute(session: AsyncSession, statement: sa.Executable, params: Any = None) -> Any:
    # Column selects and upserts run on the session's connection (same transaction): sqlmodel's
    # session.execute is deprecated and its typed select() stops at four columns.
    await session.flush()
    connection = await session.connection()
    return await connection.execute(statement, params)


@dataclass(frozen=True, slots=True)
class KeptEnterprise:
    statistician_id: int
    enterprise: str
    industry: Industry


async def kept_enterprises(
    *, session: AsyncSession, industries: Collection[Industry]
) -> list[KeptEnterprise]:
    """Enterprises of these industries that have an active statistician, by statistician and
    enterprise name."""
    if not industries:
        return []
    statement = (
        sa.select(
            col(SurveyObject.statistician_id), col(SurveyObject.name), col(SurveyObject.industry)
        )
        .join(Person, col(Person.id) == col(SurveyObject.statistician_id))
        .where(
            col(SurveyObject.industry).in_(list(industries)), col(Person.active), still_on_grid()
        )
        .order_by(col(SurveyObject.statistician_id), col(SurveyObject.name))
    )
    return [KeptEnterprise(*row) for row in (await _execute(session, statement)).all()]
