"""What each level-3 grid did in a year, read from the database, and the evaluation computed
from it now.

`as_of` before the end of the year gives the standing so far: only quarters and months that
have ended are due, and the education target is pro-rated to the days elapsed.
"""

from collections import defaultdict
from datetime import datetime, tzinfo

from sqlmodel.ext.asyncio.session import AsyncSession

from models import evaluation as queries
from models.scorecards.engagement import (
    AttendanceCounts,
    NoticeCounts,
    attendance_by_grid,
    notice_confirmations,
)
from models.study import grid_memberships, hours_by_person
from services.oversight.evaluation.config import EvaluationConfig
from services.oversight.evaluation.scoring import GridEvaluation, GridEvidence, score_evidence


def year_bounds(year: int, tz: tzinfo) -> tuple[datetime, datetime]:
    return datetime(year, 1, 1, tzinfo=tz), datetime(year + 1, 1, 1, tzinfo=tz)


def _quarter_end(year: int, quarter: int, tz: tzinfo) -> datetime:
    return datetime(year + quarter // 4, quarter * 3 % 12 + 1, 1, tzinfo=tz)


def _month_end(year: int, month: int, tz: tzinfo) -> datetime:
    return datetime(year + month // 12, month % 12 + 1, 1, tzinfo=tz)


async def collect_evidence(
    *,
    session: AsyncSession,
    year: int,
    config: EvaluationConfig,
    as_of: datetime | None = None,
    tz: tzinfo,
) -> list[tuple[queries.GridRef, GridEvidence]]:
    """Each level-3 grid's evidence for `year` up to `as_of` (default: the whole year).

    Members are a grid's current statisticians and staff (as for continuing education).
    The education target is the one of services/duties/duties.toml ([education]
    yearly_target_hours), carried in `config.education` (see config.load_evaluation_config).
    """
    start, end = year_bounds(year, tz)
    until = min(end, as_of) if as_of is not None else end
    quarters_due = [q for q in range(1, 5) if _quarter_end(year, q, tz) <= until]
    periods_due = [f"{year}-{m:02d}" for m in range(1, 13) if _month_end(year, m, tz) <= until]
    elapsed = max((until - start).total_seconds(), 0) / (end - start).total_seconds()
    target = config.education.yearly_target_hours * elapsed

    grids = await queries.evaluated_grids(session=session)
    members: dict[int, set[int]] = defaultdict(set)
    for membership in await grid_memberships(session=session):
        members[membership.grid_id].add(membership.person_id)

    activity_quarters: dict[int, set[int]] = defaultdict(set)
    for _activity_id, grid_id, starts_at in await queries.activities_held(
        session=session, start=start, end=until
    ):
        quarter = (starts_at.astimezone(tz).month - 1) // 3 + 1
        if quarter in quarters_due:
            activity_quarters[grid_id].add(quarter)
    # Attendance and notices have one definition each, shared with the scorecards
    # (models/scorecards/engagement.py): 应到 counts invited members only, a notice counts
    # for the grids it was sent to.
    attendance = await attendance_by_grid(session=session, start=start, end=until)
    notices = await notice_confirmations(session=session, start=start, end=until)
    questions = await queries.question_counts(session=session, start=start, end=until)
    on_time: dict[int, int] = defaultdict(int)
    for grid_id, _period, late in await queries.reports_in(session=session, periods=periods_due):
        if not late:
            on_time[grid_id] += 1
    hours = await hours_by_person(session=session, year=year)

    found = []
    for ref in grids:
        people = members[ref.grid_id]
        seen = attendance.get(ref.grid_id, AttendanceCounts())
        notice = notices.get(ref.grid_id, NoticeCounts(0, ()))
        asked, answered = questions.get(ref.grid_id, (0, 0))
        progress = sum(min(hours.get(p, 0.0) / target, 1.0) for p in people) if target > 0 else 0.0
        found.append(
            (
                ref,
                GridEvidence(
                    quarters_due=len(quarters_due),
                    quarters_with_activity=len(activity_quarters[ref.grid_id]),
                    attendance_expected=seen.expected,
                    attendance_checked_in=seen.checked_in,
                    attendance_on_leave=seen.on_leave,
                    notices_received=notice.recipients,
                    notices_confirmed=len(notice.confirm_seconds),
                    months_due=len(periods_due),
                    reports_on_time=on_time[ref.grid_id],
                    questions_asked=asked,
                    questions_answered=answered,
                    members=len(people) if target > 0 else 0,
                    education_progress=round(progress, 4),
                    education_target_hours=round(target, 1),
                    education_yearly_hours=config.education.yearly_target_hours,
                ),
            )
        )
    return found


async def evaluate_year(
    *,
    session: AsyncSession,
    year: int,
    config: EvaluationConfig,
    as_of: datetime | None = None,
    tz: tzinfo,
) -> list[GridEvaluation]:
    """Every level-3 grid's evaluation computed from the data now (never the frozen results)."""
    evidence = await collect_evidence(session=session, year=year, config=config, as_of=as_of, tz=tz)
    return [score_evidence(ref, e, config) for ref, e in evidence]
