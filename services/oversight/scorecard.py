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
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import ActivityKind
from models.scorecards.chase import ChaseFigures, chase_by_grid
from models.scorecards.duties import education_by_grid, hearing_counts, report_counts
from models.scorecards.engagement import (
    AttendanceCounts,
    NoticeCounts,
    activity_kinds,
    attendance_by_grid,
    notice_figures,
    question_answers,
)
from models.scorecards.grids import MemberCounts, level3_grids, member_counts
from services.access import Viewer
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
    confirm_seconds: tuple[float, ...] = ()
    reports_due: int = 0
    reports_submitted: int = 0
    reports_on_time: int = 0
    questions_asked: int = 0
    answer_seconds: tuple[float, ...] = ()
    study_hours: float = 0.0
    study_reached: int = 0
    chase: ChaseFigures = field(default_factory=ChaseFigures)  # 催报 of the period's months

    @property
    def activity_total(self) -> int:
        return sum(count for _, count in self.activities)

    @property
    def attendance_rate(self) -> float | None:
        return _rate(self.checked_in, self.attendance_slots)

    @property
    def notices_confirmed(self) -> int:
        return len(self.confirm_seconds)

    @property
    def confirm_rate(self) -> float | None:
        return _rate(self.notices_confirmed, self.notice_copies)

    @property
    def confirm_median_hours(self) -> float | None:
        return _median_hours(self.confirm_seconds)

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


def combine(tallies: Iterable[Tally]) -> Tally:
    """The sum of grids' tallies; medians are then taken over the pooled times."""
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
        notice_copies=sum(t.notice_copies for t in items),
        confirm_seconds=tuple(s for t in items for s in t.confirm_seconds),
        reports_due=sum(t.reports_due for t in items),
        reports_submitted=sum(t.reports_submitted for t in items),
        reports_on_time=sum(t.reports_on_time for t in items),
        questions_asked=sum(t.questions_asked for t in items),
        answer_seconds=tuple(s for t in items for s in t.answer_seconds),
        study_hours=sum(t.study_hours for t in items),
        study_reached=sum(t.study_reached for t in items),
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
    reports = await report_counts(session=session, periods=report_months, grid_ids=only)
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
        report = reports.get(row.grid_id)
        studied = study.get(row.grid_id)
        tally = Tally(
            members=counted.members,
            unreachable=counted.unreachable,
            activities=_ordered(grid_kinds),
            attendance_slots=seen.expected,
            checked_in=seen.checked_in,
            on_leave=seen.on_leave,
            notice_copies=notice.recipients if notice else 0,
            confirm_seconds=notice.confirm_seconds if notice else (),
            reports_due=len(report_months),
            reports_submitted=report.submitted if report else 0,
            reports_on_time=report.on_time if report else 0,
            questions_asked=asked.asked if asked else 0,
            answer_seconds=asked.answer_seconds if asked else (),
            study_hours=studied.hours if studied else 0.0,
            study_reached=studied.reached if studied else 0,
            chase=chase.get(row.grid_id, ChaseFigures()),
        )
        by_town.setdefault(row.town_id, []).append(
            GridScorecard(row.grid_id, row.grid_name, row.town_id, row.town_name, tally)
        )
        town_names[row.town_id] = row.town_name

    whole = grids_filter is None
    no_copies = NoticeCounts(0, ())
    towns = tuple(
        TownScorecard(
            town_id=town_id,
            town_name=town_names[town_id],
            grids=tuple(grid_cards),
            tally=_less_duplicates(
                combine(g.tally for g in grid_cards),
                figures.town_duplicates.get(town_id, no_copies),
            ),
            hearings_due=len(hearing_months) if whole else 0,
            hearings_confirmed=hearings.get(town_id, 0) if whole else 0,
        )
        for town_id, grid_cards in by_town.items()
    )
    city = combine(t.tally for t in towns)
    return CityScorecard(
        period=period,
        towns=towns,
        tally=_less_duplicates(city, figures.city_duplicates),
        target_hours=target,
        hearings_due=sum(t.hearings_due for t in towns),
        hearings_confirmed=sum(t.hearings_confirmed for t in towns),
        at=now,
    )


def _less_duplicates(tally: Tally, duplicates: NoticeCounts) -> Tally:
    """A town's or the city's summed tally with each notice copy counted once (not once per
    grid of its recipient)."""
    if not duplicates.recipients:
        return tally
    left = Counter(duplicates.confirm_seconds)
    kept = []
    for value in tally.confirm_seconds:
        if left[value] > 0:
            left[value] -= 1
        else:
            kept.append(value)
    return replace(
        tally,
        notice_copies=tally.notice_copies - duplicates.recipients,
        confirm_seconds=tuple(kept),
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
