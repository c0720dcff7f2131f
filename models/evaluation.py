"""Query functions for the annual evaluation and funding: a year's raw evidence per level-3 grid,
confirmed (frozen) evaluations, survey objects per town, and the 五有 department checklist."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import GridLevel
from models.tables import (
    Department,
    DepartmentCheck,
    EvaluationResult,
    EvaluationRun,
    Grid,
)


async def _rows(session: AsyncSession, statement: sa.Executable) -> Sequence[Any]:
    # Column selects run on the session's connection (same transaction): sqlmodel's typed
    # select() stops at four columns.
    await session.flush()
    connection = await session.connection()
    return (await connection.execute(statement)).all()


@dataclass(frozen=True, slots=True)
class GridRef:
    grid_id: int
    grid_name: str
    town_id: int
    town_name: str


async def evaluated_grids(*, session: AsyncSession) -> list[GridRef]:
    """Every level-3 grid with its town, by town name and grid name."""
    town = aliased(Grid)
    statement = (
        sa.select(col(Grid.id), col(Grid.name), col(town.id), col(town.name))
        .join(town, col(town.id) == col(Grid.parent_id))
        .where(col(Grid.level) == GridLevel.GRID)
        .order_by(col(town.name), col(Grid.name))
    )
    return [GridRef(*row) for row in await _rows(session, statement)]


# --- Confirmed evaluations -------------------------------------------------------------------


async def confirmed_run(*, session: AsyncSession, year: int) -> EvaluationRun | None:
    return (await session.exec(select(EvaluationRun).where(EvaluationRun.year == year))).first()


async def run_results(*, session: AsyncSession, run_id: int) -> list[EvaluationResult]:
    result = await session.exec(
        select(EvaluationResult)
        .where(EvaluationResult.run_id == run_id)
        .order_by(col(EvaluationResult.town_name), col(EvaluationResult.grid_name))
    )
    return list(result.all())


async def insert_run(
    *, session: AsyncSession, run: EvaluationRun, results: Sequence[EvaluationResult]
) -> bool:
    """Store a confirmed run and its results; False (nothing stored) when the year already has
    one, also when another process confirmed it at the same moment."""
    try:
        async with session.begin_nested():
            session.add(run)
            await session.flush()
            assert run.id is not None
            for result in results:
                result.run_id = run.id
                session.add(result)
            await session.flush()
    except IntegrityError:
        return False
    return True


# --- Funding -----------------------------------------------------------------------------------


# --- The 五有 checklist -------------------------------------------------------------------------


async def departments(*, session: AsyncSession) -> list[Department]:
    return list((await session.exec(select(Department).order_by(col(Department.name)))).all())


async def department_by_name(*, session: AsyncSession, name: str) -> Department | None:
    return (await session.exec(select(Department).where(Department.name == name))).first()


async def add_department(*, session: AsyncSession, name: str) -> Department | None:
    """Add a department; None when one of that name exists already."""
    department = Department(name=name)
    try:
        async with session.begin_nested():
            session.add(department)
            await session.flush()
    except IntegrityError:
        return None
    return department


async def department_checks(*, session: AsyncSession) -> list[DepartmentCheck]:
    return list((await session.exec(select(DepartmentCheck))).all())


async def set_department_check(
    *,
    session: AsyncSession,
    department_id: int,
    item: str,
    met: bool,
    evidence: str,
    checked_on: date,
    now: datetime,
) -> None:
    """Record where a department stands on one item, replacing what was recorded before."""
    existing = (
        await session.exec(
            select(DepartmentCheck).where(
                DepartmentCheck.department_id == department_id, DepartmentCheck.item == item
            )
        )
    ).first()
    if existing is None:
        existing = DepartmentCheck(
            department_id=department_id,
            item=item,
            met=met,
            evidence=evidence,
            checked_on=checked_on,
            recorded_at=now,
        )
    else:
        existing.met, existing.evidence = met, evidence
        existing.checked_on, existing.recorded_at = checked_on, now
    session.add(existing)
    await session.flush()
