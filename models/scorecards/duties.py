"""What the grids owed by month or year: monthly reports submitted and on time, the towns'
hearings, and continuing-education hours against the yearly target."""

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from models.scorecards.grids import fetch_all, grid_members, only_grids
from models.tables import MonthlyReport, ReportHearing, StudyRecord


async def report_marks(
    *,
    session: AsyncSession,
    periods: Collection[str],
    grid_ids: Collection[int] | None = None,
) -> dict[int, dict[str, bool]]:
    """Grid id -> period ("YYYY-MM", of `periods`) -> whether its monthly report was late: the
    one reading of the reports behind the scorecards and the evaluation (a period absent from
    a grid's map had no report)."""
    if not periods:
        return {}
    statement = sa.select(
        col(MonthlyReport.grid_id), col(MonthlyReport.period), col(MonthlyReport.late)
    ).where(col(MonthlyReport.period).in_(list(periods)))
    statement = only_grids(statement, col(MonthlyReport.grid_id), grid_ids)
    found: dict[int, dict[str, bool]] = {}
    for grid_id, period, late in await fetch_all(session, statement):
        found.setdefault(grid_id, {})[period] = bool(late)
    return found


async def hearing_counts(
    *, session: AsyncSession, windows: Mapping[str, tuple[datetime, datetime]]
) -> dict[int, int]:
    """Town id -> months of `windows` (period -> (from, until)) whose reports the town's
    二级网格长 confirmed hearing within that month's window: a confirmation before the digest
    or long after it (a back-dated one) does not count."""
    if not windows:
        return {}
    confirmed = col(ReportHearing.confirmed_at)
    statement = (
        sa.select(col(ReportHearing.town_id), sa.func.count())
        .where(
            sa.or_(
                *(
                    sa.and_(
                        col(ReportHearing.period) == period,
                        confirmed >= start,
                        confirmed <= end,
                    )
                    for period, (start, end) in windows.items()
                )
            )
        )
        .group_by(col(ReportHearing.town_id))
    )
    return {town_id: int(count) for town_id, count in await fetch_all(session, statement)}


@dataclass(frozen=True, slots=True)
class EducationCounts:
    hours: float
    # Members whose hours reach the target.
    reached: int


async def education_by_grid(
    *,
    session: AsyncSession,
    first_day: date,
    last_day: date,
    target_hours: float,
    grid_ids: Collection[int] | None = None,
) -> dict[int, EducationCounts]:
    """Grid id -> members' study hours from first_day to last_day (inclusive), in total, and
    how many members reached `target_hours` in that span."""
    members = grid_members()
    per_person = (
        sa.select(
            col(StudyRecord.person_id).label("person_id"),
            sa.func.sum(col(StudyRecord.hours)).label("hours"),
        )
        .where(col(StudyRecord.studied_on) >= first_day, col(StudyRecord.studied_on) <= last_day)
        .group_by(col(StudyRecord.person_id))
        .subquery("per_person")
    )
    statement = (
        sa.select(
            members.c.grid_id,
            sa.func.sum(per_person.c.hours),
            sa.func.sum(sa.case((per_person.c.hours >= target_hours, 1), else_=0)),
        )
        .join(per_person, per_person.c.person_id == members.c.person_id)
        .group_by(members.c.grid_id)
    )
    statement = only_grids(statement, members.c.grid_id, grid_ids)
    return {
        grid_id: EducationCounts(float(hours or 0), int(reached or 0))
        for grid_id, hours, reached in await fetch_all(session, statement)
    }
