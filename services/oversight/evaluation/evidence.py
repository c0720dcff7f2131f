"""What each level-3 grid did in a year, read from the database, and the evaluation computed
from it now.

`as_of` before the end of the year gives the standing so far: only quarters and months that
have ended are due, and the education target is pro-rated to the days elapsed.
"""

from collections import defaultdict
from datetime import date, datetime, time, tzinfo

from sqlmodel.ext.asyncio.session import AsyncSession

from models import evaluation as queries
from models.reports import activity_counts
from models.scorecards.duties import report_marks
from models.scorecards.engagement import (
    AttendanceCounts,
    QuestionCounts,
    attendance_by_grid,
    question_answers,
)
from models.scorecards.notices import NoticeCounts, notice_confirmations
from models.study import grid_memberships, hours_by_person
from services.coverage import load_coverage
from services.oversight.evaluation.config import EvaluationConfig
from services.oversight.evaluation.scoring import GridEvaluation, GridEvidence, score_evidence


def year_bounds(year: int, tz: tzinfo) -> tuple[datetime, datetime]:
    return datetime(year, 1, 1, tzinfo=tz), datetime(year + 1, 1, 1, tzinfo=tz)


def _quarter_end(year: int, quarter: int, tz: tzinfo) -> datetime:
    return datetime(year + quarter // 4, quarter * 3 % 12 + 1, 1, tzinfo=tz)


def _month_end(year: int, month: int, tz: tzinfo) -> datetime:
    return datetime(year + month // 12, month % 12 + 1, 1, tzinfo=tz)


def _quarter_start(year: int, quarter: int) -> date:
    return date(year, 3 * quarter - 2, 1)


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
    Only the months and quarters a grid is judged for count (services/coverage.py: those
    beginning on or after its judged-from day); its education target is pro-rated from that
    day.
    """
    start, end = year_bounds(year, tz)
    until = min(end, as_of) if as_of is not None else end
    quarters_due = [q for q in range(1, 5) if _quarter_end(year, q, tz) <= until]
    periods_due = [f"{year}-{m:02d}" for m in range(1, 13) if _month_end(year, m, tz) <= until]
    year_seconds = (end - start).total_seconds()
    coverage = await load_coverage(session=session)

    grids = await queries.evaluated_grids(session=session)
    members: dict[int, set[int]] = defaultdict(set)
    for membership in await grid_memberships(session=session):
        members[membership.grid_id].add(membership.person_id)

    # The quarterly duty's own reading of "held an activity" (models/reports.activity_counts).
    activity_quarters: dict[int, set[int]] = defaultdict(set)
    for quarter in quarters_due:
        q_start = datetime.combine(_quarter_start(year, quarter), time(), tzinfo=tz)
        q_end = _quarter_end(year, quarter, tz)
        held = await activity_counts(session=session, start=q_start, end=q_end)
        for grid_id in held:
            activity_quarters[grid_id].add(quarter)
    # Attendance, notices, questions and reports have one definition each, shared with the
    # scorecards (models/scorecards/): 应到 counts invited members only, a notice counts for
    # the grids it was sent to, a question is answered when it has an answer.
    attendance = await attendance_by_grid(session=session, start=start, end=until)
    notices = await notice_confirmations(session=session, start=start, end=until)
    questions = await question_answers(session=session, start=start, end=until)
    marks = await report_marks(session=session, periods=periods_due)
    hours = await hours_by_person(session=session, year=year)

    found = []
    for ref in grids:
        since = coverage.grid_from(ref.grid_id)
        partial = since if since is not None and since > start.date() else None
        quarters = [
            q for q in quarters_due if coverage.grid_covers(ref.grid_id, _quarter_start(year, q))
        ]
        months = [
            p for p in periods_due if coverage.grid_covers(ref.grid_id, date(year, int(p[5:]), 1))
        ]
        span_start = start if partial is None else datetime.combine(partial, time(), tzinfo=tz)
        elapsed = max((until - span_start).total_seconds(), 0) / year_seconds
        target = config.education.yearly_target_hours * elapsed
        people = members[ref.grid_id]
        seen = attendance.get(ref.grid_id, AttendanceCounts())
        notice = notices.get(ref.grid_id, NoticeCounts())
        asked = questions.get(ref.grid_id, QuestionCounts(0, ()))
        grid_marks = marks.get(ref.grid_id, {})
        progress = sum(min(hours.get(p, 0.0) / target, 1.0) for p in people) if target > 0 else 0.0
        found.append(
            (
                ref,
                GridEvidence(
                    quarters_due=len(quarters),
                    quarters_with_activity=len(activity_quarters[ref.grid_id] & set(quarters)),
                    attendance_expected=seen.expected,
                    attendance_checked_in=seen.checked_in,
                    attendance_on_leave=seen.on_leave,
                    notices_received=notice.recipients,
                    notices_confirmed=notice.confirmed,
                    months_due=len(months),
                    reports_on_time=sum(1 for p in months if grid_marks.get(p) is False),
                    questions_asked=asked.asked,
                    questions_answered=len(asked.answer_seconds),
                    members=len(people) if target > 0 else 0,
                    education_progress=round(progress, 4),
                    education_target_hours=round(target, 1),
                    education_yearly_hours=config.education.yearly_target_hours,
                    judged_from=partial,
                    # Nothing of the year is judgeable: the grid began after its last period
                    # started (a grid added in December is not judged for the year).
                    not_judged=partial is not None and partial > date(year, 12, 1),
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
