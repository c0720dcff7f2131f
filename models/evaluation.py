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

from models.enums import AttendanceStatus, GridLevel
from models.tables import (
    Activity,
    ActivityGrid,
    Attendance,
    Department,
    DepartmentCheck,
    EvaluationResult,
    EvaluationRun,
    Grid,
    MonthlyReport,
    Notice,
    NoticeRecipient,
    Question,
    SurveyObject,
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


async def activities_held(
    *, session: AsyncSession, start: datetime, end: datetime
) -> list[tuple[int, int, datetime]]:
    """(activity id, grid id, starts_at) of uncancelled activities that started in [start, end)."""
    statement = (
        sa.select(col(Activity.id), col(ActivityGrid.grid_id), col(Activity.starts_at))
        .join(ActivityGrid, col(ActivityGrid.activity_id) == col(Activity.id))
        .where(
            col(Activity.cancelled_at).is_(None),
            col(Activity.starts_at) >= start,
            col(Activity.starts_at) < end,
        )
    )
    return [(row[0], row[1], row[2]) for row in await _rows(session, statement)]


async def check_ins(
    *, session: AsyncSession, start: datetime, end: datetime
) -> list[tuple[int, int]]:
    """(activity id, person id) of check-ins at activities that started in [start, end)."""
    statement = (
        sa.select(col(Attendance.activity_id), col(Attendance.person_id))
        .join(Activity, col(Activity.id) == col(Attendance.activity_id))
        .where(
            col(Attendance.status) == AttendanceStatus.CHECKED_IN,
            col(Activity.cancelled_at).is_(None),
            col(Activity.starts_at) >= start,
            col(Activity.starts_at) < end,
        )
    )
    return [(row[0], row[1]) for row in await _rows(session, statement)]


async def notice_receipts(
    *, session: AsyncSession, start: datetime, end: datetime
) -> dict[int, tuple[int, int]]:
    """Per person: (notices received, notices confirmed) of notices sent in [start, end)."""
    statement = (
        sa.select(
            col(NoticeRecipient.person_id),
            sa.func.count(),
            sa.func.count(col(NoticeRecipient.confirmed_at)),
        )
        .join(Notice, col(Notice.id) == col(NoticeRecipient.notice_id))
        .where(col(Notice.created_at) >= start, col(Notice.created_at) < end)
        .group_by(col(NoticeRecipient.person_id))
    )
    return {row[0]: (int(row[1]), int(row[2])) for row in await _rows(session, statement)}


async def reports_in(
    *, session: AsyncSession, periods: Sequence[str]
) -> list[tuple[int, str, bool]]:
    """(grid id, period, late) of monthly reports for the given "YYYY-MM" periods."""
    if not periods:
        return []
    statement = sa.select(
        col(MonthlyReport.grid_id), col(MonthlyReport.period), col(MonthlyReport.late)
    ).where(col(MonthlyReport.period).in_(list(periods)))
    return [(row[0], row[1], bool(row[2])) for row in await _rows(session, statement)]


async def question_counts(
    *, session: AsyncSession, start: datetime, end: datetime
) -> dict[int, tuple[int, int]]:
    """Per grid: (questions asked, questions answered) of questions filed in [start, end)."""
    statement = (
        sa.select(col(Question.grid_id), sa.func.count(), sa.func.count(col(Question.answered_at)))
        .where(col(Question.created_at) >= start, col(Question.created_at) < end)
        .group_by(col(Question.grid_id))
    )
    return {row[0]: (int(row[1]), int(row[2])) for row in await _rows(session, statement)}


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


@dataclass(frozen=True, slots=True)
class ObjectRow:
    object_id: int
    name: str
    town_id: int
    town_name: str
    created_at: datetime


async def survey_objects_before(*, session: AsyncSession, end: datetime) -> list[ObjectRow]:
    """Survey objects on the roster before `end`, with their town, by town and name."""
    statement = (
        sa.select(
            col(SurveyObject.id),
            col(SurveyObject.name),
            col(Grid.id),
            col(Grid.name),
            col(SurveyObject.created_at),
        )
        .join(Grid, col(Grid.id) == col(SurveyObject.town_id))
        .where(col(SurveyObject.created_at) < end)
        .order_by(col(Grid.name), col(SurveyObject.name))
    )
    return [ObjectRow(*row) for row in await _rows(session, statement)]


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
