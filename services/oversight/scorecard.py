"""Grid scorecards: what each level-3 grid did in a month ("2026-11"), quarter ("2026Q4") or
year ("2026"), rolled up per town and for the city.

Definitions (the same in the chat, the chart and the bench):
- activities: uncancelled activities for the grid starting in the period, by kind;
  attendance rate = the grid's members' check-ins / 应到, where 应到 counts the members
  invited to each activity (bound to Telegram and reachable at its start, or checked in);
  leave recorded with a reason is neither 应到 nor absence (models/scorecards/engagement.py).
- notices: copies of notices sent in the period to the grid's members for this grid (a notice
  counts for the grids it was sent to, not every grid of its recipients); a town or the city
  counts each copy once; confirmation rate and the median time from sending to [已阅].
- monthly reports: months of the period whose deadline has passed ("due"), reports submitted
  for them and how many were not late; hearings: due months (hearing day passed) the town's
  二级网格长 confirmed [已听取汇报].
- questions: filed in the period in the grid; answered = has an answer; median time to the
  first answer.
- continuing education: hours studied from 1 January to the end of the period against the
  yearly target; members reaching it.
- unreachable: members who blocked the bot (now).
- 催报: items of the reporting periods that are the period's months, resolved and timely
  (models/scorecards/chase.py).
"""

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import ActivityKind
from models.scorecards.chase import ChaseFigures, chase_by_grid
from models.scorecards.duties import education_by_grid, hearing_counts, report_marks
from models.scorecards.engagement import (
    AttendanceCounts,
    activity_kinds,
    attendance_by_grid,
    question_answers,
)
from models.scorecards.grids import MemberCounts, level3_grids, member_counts
from models.scorecards.notices import NoticeCounts, notice_figures
from services.access import Viewer
from services.coverage import Coverage, load_coverage
from services.duties.config import DutiesConfig
from services.duties.status import Scope, scope_of
from services.oversight.periods import Period
from services.reports.monthly_duty import schedule


def _median_hours(seconds: Sequence[float]) -> float | None:
    return statistics.median(seconds) / 3600 if seconds else None


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class Tally:
    """The additive numbers of a scorecard: a grid's own, or summed over grids."""

    members: int = 0
    unreachable: int = 0
    activities: tuple[tuple[ActivityKind, int], ...] = ()
    # 应到 at the grids' activities (members invited), and what became of them.
    attendance_slots: int = 0
    checked_in: int = 0
    on_leave: int = 0
    notice_copies: int = 0
    notices_confirmed: int = 0
    # The median seconds from sending to [已阅] (computed by the database for a grid, a town
    # or the city; None for a sum of some grids, which cannot be pooled).
    confirm_median_seconds: float | None = None
    reports_due: int = 0
    reports_submitted: int = 0
    reports_on_time: int = 0
    questions_asked: int = 0
    answer_seconds: tuple[float, ...] = ()
    study_hours: float = 0.0
    study_reached: int = 0
    # Grids not judged for any month of the period (未纳入: added or live after it began).
    not_judged: int = 0
    chase: ChaseFigures = field(default_factory=ChaseFigures)  # 催报 of the period's months

    @property
    def activity_total(self) -> int:
        return sum(count for _, count in self.activities)

    @property
    def attendance_rate(self) -> float | None:
        return _rate(self.checked_in, self.attendance_slots)

    @property
    def confirm_rate(self) -> float | None:
        return _rate(self.notices_confirmed, self.notice_copies)

    @property
    def confirm_median_hours(self) -> float | None:
        seconds = self.confirm_median_seconds
        return None if seconds is None else seconds / 3600

    @property
    def on_time_rate(self) -> float | None:
        return _rate(self.reports_on_time, self.reports_due)

    @property
    def questions_answered(self) -> int:
        return len(self.answer_seconds)

    @property
    def answer_median_hours(self) -> float | None:
        return _median_hours(self.answer_seconds)

    @property
    def study_rate(self) -> float | None:
        return _rate(self.study_reached, self.members)


def combine(tallies: Iterable[Tally], notices: NoticeCounts | None = None) -> Tally:
    """The sum of grids' tallies; answer-time medians are taken over the pooled times. The
    notices are `notices` (a town's or the city's, each copy once) when given; otherwise the
    grids' copies summed, with no median."""
    items = list(tallies)
    kinds: dict[ActivityKind, int] = {}
    for item in items:
        for kind, count in item.activities:
            kinds[kind] = kinds.get(kind, 0) + count
    return Tally(
        members=sum(t.members for t in items),
        unreachable=sum(t.unreachable for t in items),
        activities=_ordered(kinds),
        attendance_slots=sum(t.attendance_slots for t in items),
        checked_in=sum(t.checked_in for t in items),
        on_leave=sum(t.on_leave for t in items),
        notice_copies=(
            notices.recipients if notices is not None else sum(t.notice_copies for t in items)
        ),
        notices_confirmed=(
            notices.confirmed if notices is not None else sum(t.notices_confirmed for t in items)
        ),
        confirm_median_seconds=(
            notices.median_seconds
            if notices is not None
            else items[0].confirm_median_seconds
            if len(items) == 1
            else None
        ),
        reports_due=sum(t.reports_due for t in items),
        reports_submitted=sum(t.reports_submitted for t in items),
        reports_on_time=sum(t.reports_on_time for t in items),
        questions_asked=sum(t.questions_asked for t in items),
        answer_seconds=tuple(s for t in items for s in t.answer_seconds),
        study_hours=sum(t.study_hours for t in items),
        study_reached=sum(t.study_reached for t in items),
        not_judged=sum(t.not_judged for t in items),
        chase=sum((t.chase for t in items), ChaseFigures()),
    )


def _ordered(kinds: dict[ActivityKind, int]) -> tuple[tuple[ActivityKind, int], ...]:
    return tuple((kind, kinds[kind]) for kind in ActivityKind if kinds.get(kind))


@dataclass(frozen=True)
class GridScorecard:
    grid_id: int
    grid_name: str
    town_id: int
    town_name: str
    tally: Tally
    # Set when the grid is judged only from this day, after the period began
    # (services/coverage.py): months beginning earlier are not due.
    judged_from: date | None = None

    @property
    def judged(self) -> bool:
        """False when no month of the period is judged for the grid (shown as 未纳入)."""
        return not self.tally.not_judged


@dataclass(frozen=True)
class TownScorecard:
    town_id: int
    town_name: str
    grids: tuple[GridScorecard, ...]
    tally: Tally
    hearings_due: int
    hearings_confirmed: int

    @property
    def hearing_rate(self) -> float | None:
        return _rate(self.hearings_confirmed, self.hearings_due)


@dataclass(frozen=True)
class CityScorecard:
    period: Period
    towns: tuple[TownScorecard, ...]
    tally: Tally
    target_hours: float
    hearings_due: int = 0
    hearings_confirmed: int = 0
    # When the figures were taken (what counts as due depends on it).
    at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def grids(self) -> tuple[GridScorecard, ...]:
        return tuple(grid for town in self.towns for grid in town.grids)

    @property
    def hearing_rate(self) -> float | None:
        return _rate(self.hearings_confirmed, self.hearings_due)


def _month_start(month: str) -> date:
    return date(int(month[:4]), int(month[5:]), 1)


def judged_months(
    months: Iterable[str], coverage: Coverage, *, grid_id: int | None = None, town_id: int = 0
) -> list[str]:
    """The months (of `months`) a grid (or, without `grid_id`, a town) is judged for."""
    if grid_id is not None:
        return [m for m in months if coverage.grid_covers(grid_id, _month_start(m))]
    return [m for m in months if coverage.town_covers(town_id, _month_start(m))]


def due_months(
    period: Period, *, now: datetime, duties: DutiesConfig, tz: tzinfo
) -> tuple[list[str], list[str]]:
    """Months of the period whose report deadline has passed, and whose hearing day has."""
    reports, hearings = [], []
    for month in period.months:
        plan = schedule(
            month, config=duties.monthly_report, send_time=duties.engine.send_time, tz=tz
        )
        if plan.deadline_end <= now:
            reports.append(month)
        hearing_end = datetime.combine(plan.hearing_by + timedelta(days=1), time(), tzinfo=tz)
        if hearing_end <= now:
            hearings.append(month)
    return reports, hearings


def hearing_windows(
    months: Iterable[str], *, duties: DutiesConfig, tz: tzinfo
) -> dict[str, tuple[datetime, datetime]]:
    """When a hearing of each month counts: from its digest for the duties file's window."""
    window = timedelta(days=duties.monthly_report.hearing_window_days)
    windows = {}
    for month in months:
        digest_at = schedule(
            month, config=duties.monthly_report, send_time=duties.engine.send_time, tz=tz
        ).digest_at
        windows[month] = (digest_at, digest_at + window)
    return windows


async def scorecard(
    *,
    session: AsyncSession,
    period: Period,
    now: datetime,
    tz: tzinfo,
    duties: DutiesConfig,
    town_ids: Iterable[int] | None = None,
    grid_ids: Iterable[int] | None = None,
) -> CityScorecard:
    """Scorecards of the level-3 grids in `town_ids` (None: the city), optionally only those in
    `grid_ids`, rolled up per town and overall. Hearings count only for towns seen whole
    (grid_ids None)."""
    towns_filter = None if town_ids is None else set(town_ids)
    grids_filter = None if grid_ids is None else set(grid_ids)
    start, end = period.bounds(tz)
    report_months, hearing_months = due_months(period, now=now, duties=duties, tz=tz)
    target = duties.education.yearly_target_hours

    rows = await level3_grids(session=session, town_ids=towns_filter)
    if grids_filter is not None:
        rows = [row for row in rows if row.grid_id in grids_filter]
    # The city's own numbers are read unfiltered (cheaper than a long IN list); a part of it
    # only for its grids.
    only = None if towns_filter is None and grids_filter is None else [r.grid_id for r in rows]
    members = await member_counts(session=session, grid_ids=only)
    kinds = await activity_kinds(session=session, start=start, end=end, grid_ids=only)
    attendance = await attendance_by_grid(session=session, start=start, end=end, grid_ids=only)
    figures = await notice_figures(session=session, start=start, end=end, grid_ids=only)
    notices = figures.grids
    questions = await question_answers(session=session, start=start, end=end, grid_ids=only)
    coverage = await load_coverage(session=session)
    marks = await report_marks(session=session, periods=report_months, grid_ids=only)
    hearings = await hearing_counts(
        session=session, windows=hearing_windows(hearing_months, duties=duties, tz=tz)
    )
    study = await education_by_grid(
        session=session,
        first_day=date(period.year, 1, 1),
        last_day=period.end_day - timedelta(days=1),
        target_hours=target,
        grid_ids=only,
    )

    chase = await chase_by_grid(session=session, periods=period.months, grid_ids=only)
    empty_members = MemberCounts(0, 0)
    by_town: dict[int, list[GridScorecard]] = {}
    town_names: dict[int, str] = {}
    for row in rows:
        counted = members.get(row.grid_id, empty_members)
        grid_kinds = kinds.get(row.grid_id, {})
        seen = attendance.get(row.grid_id, AttendanceCounts())
        notice = notices.get(row.grid_id)
        asked = questions.get(row.grid_id)
        studied = study.get(row.grid_id)
        months = judged_months(report_months, coverage, grid_id=row.grid_id)
        grid_marks = marks.get(row.grid_id, {})
        since = coverage.grid_from(row.grid_id)
        judged_from = since if since is not None and since > period.first_day else None
        tally = Tally(
            members=counted.members,
            unreachable=counted.unreachable,
            activities=_ordered(grid_kinds),
            attendance_slots=seen.expected,
            checked_in=seen.checked_in,
            on_leave=seen.on_leave,
            notice_copies=notice.recipients if notice else 0,
            notices_confirmed=notice.confirmed if notice else 0,
            confirm_median_seconds=notice.median_seconds if notice else None,
            reports_due=len(months),
            reports_submitted=sum(1 for m in months if m in grid_marks),
            reports_on_time=sum(1 for m in months if grid_marks.get(m) is False),
            questions_asked=asked.asked if asked else 0,
            answer_seconds=asked.answer_seconds if asked else (),
            study_hours=studied.hours if studied else 0.0,
            study_reached=studied.reached if studied else 0,
            not_judged=int(
                judged_from is not None
                and not judged_months(period.months, coverage, grid_id=row.grid_id)
            ),
            chase=chase.get(row.grid_id, ChaseFigures()),
        )
        by_town.setdefault(row.town_id, []).append(
            GridScorecard(
                row.grid_id, row.grid_name, row.town_id, row.town_name, tally, judged_from
            )
        )
        town_names[row.town_id] = row.town_name

    whole = grids_filter is None
    no_copies = NoticeCounts()
    towns = tuple(
        TownScorecard(
            town_id=town_id,
            town_name=town_names[town_id],
            grids=tuple(grid_cards),
            tally=combine((g.tally for g in grid_cards), figures.towns.get(town_id, no_copies)),
            hearings_due=len(judged_months(hearing_months, coverage, town_id=town_id))
            if whole
            else 0,
            hearings_confirmed=hearings.get(town_id, 0) if whole else 0,
        )
        for town_id, grid_cards in by_town.items()
    )
    # The city's own copies (each once) when it is seen whole; else its towns' summed.
    city = combine(
        (t.tally for t in towns),
        figures.city if towns_filter is None and grids_filter is None else None,
    )
    return CityScorecard(
        period=period,
        towns=towns,
        tally=city,
        target_hours=target,
        hearings_due=sum(t.hearings_due for t in towns),
        hearings_confirmed=sum(t.hearings_confirmed for t in towns),
        at=now,
    )


def restrict(card: CityScorecard, scope: Scope) -> CityScorecard:
    """Only the grids `scope` covers; towns not seen whole lose their hearings (a grid's staff
    see their grids, not their town)."""
    if scope.town_ids is None:
        return card
    towns = []
    for town in card.towns:
        grids = tuple(g for g in town.grids if scope.covers(g.town_id, g.grid_id))
        if not grids:
            continue
        whole = town.town_id in scope.whole_towns
        towns.append(
            TownScorecard(
                town_id=town.town_id,
                town_name=town.town_name,
                grids=grids,
                tally=town.tally if whole else combine(g.tally for g in grids),
                hearings_due=town.hearings_due if whole else 0,
                hearings_confirmed=town.hearings_confirmed if whole else 0,
            )
        )
    return CityScorecard(
        period=card.period,
        towns=tuple(towns),
        tally=combine(t.tally for t in towns),
        target_hours=card.target_hours,
        hearings_due=sum(t.hearings_due for t in towns),
        hearings_confirmed=sum(t.hearings_confirmed for t in towns),
        at=card.at,
    )


async def scorecard_for(
    *,
    session: AsyncSession,
    viewer: Viewer,
    period: Period,
    now: datetime,
    tz: tzinfo,
    duties: DutiesConfig,
) -> tuple[Scope, CityScorecard]:
    """The scorecard of what the viewer's roles cover (scoped like /duties)."""
    scope = await scope_of(session=session, viewer=viewer)
    card = await scorecard(
        session=session, period=period, now=now, tz=tz, duties=duties, town_ids=scope.town_ids
    )
    return scope, restrict(card, scope)
