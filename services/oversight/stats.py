"""/stats and /mystats without Telegram: a scorecard as chat text (HTML) and its chart, and a
grid's progress this year against the evaluation's 合格/优秀 lines."""

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from sqlmodel.ext.asyncio.session import AsyncSession

from core.formatting import CAPTION_LIMIT, TEXT_LIMIT, esc, truncate_html, truncate_plain
from models.scorecards.engagement import activity_kinds
from models.scorecards.grids import grids_of_person
from services.access import Viewer
from services.chase.summary import chase_line
from services.duties.config import DutiesConfig
from services.duties.status import Scope
from services.oversight import texts
from services.oversight.chart import Series, bar_chart
from services.oversight.evaluation.config import EvaluationConfig, load_evaluation_config
from services.oversight.evaluation.confirmation import evaluation_for_year
from services.oversight.evaluation.scoring import NOT_JUDGED, GridEvaluation
from services.oversight.periods import Period, parse_period, year_of
from services.oversight.scorecard import (
    CityScorecard,
    GridScorecard,
    Tally,
    scorecard,
    scorecard_for,
)

# Telegram allows 4096 characters: beyond this many rows the text points to /export.
MAX_ROWS = 30


def _pct(rate: float | None) -> str:
    return texts.STATS_NA if rate is None else f"{rate:.0%}"


def _hours(value: float | None) -> str:
    return texts.STATS_NA if value is None else texts.STATS_HOURS.format(hours=value)


def _summary(
    name: str, grids: int, tally: Tally, *, target: float, hearings: tuple[int, int] | None
) -> list[str]:
    kinds = "、".join(f"{kind.value} {count}" for kind, count in tally.activities)
    lines = [
        texts.STATS_SUMMARY_HEAD.format(name=esc(name), grids=grids, members=tally.members),
        texts.STATS_ACTIVITIES.format(
            count=tally.activity_total,
            kinds=f"（{kinds}）" if kinds else "",
            rate=_pct(tally.attendance_rate),
            present=tally.checked_in,
            slots=tally.attendance_slots,
            leave=tally.on_leave,
        ),
        texts.STATS_NOTICES.format(
            rate=_pct(tally.confirm_rate),
            done=tally.notices_confirmed,
            total=tally.notice_copies,
            median=_hours(tally.confirm_median_hours),
        ),
        texts.STATS_REPORTS.format(
            on_time=tally.reports_on_time, due=tally.reports_due, submitted=tally.reports_submitted
        ),
    ]
    if hearings is not None:
        lines.append(texts.STATS_HEARINGS.format(done=hearings[0], due=hearings[1]))
    lines += [
        texts.STATS_QUESTIONS.format(
            asked=tally.questions_asked,
            answered=tally.questions_answered,
            median=_hours(tally.answer_median_hours),
        ),
        texts.STATS_EDUCATION.format(
            reached=tally.study_reached,
            members=tally.members,
            target=target,
            hours=tally.study_hours,
        ),
        texts.STATS_UNREACHABLE.format(count=tally.unreachable),
    ]
    if tally.not_judged:
        lines.append(texts.STATS_NOT_JUDGED.format(count=tally.not_judged))
    if tally.chase.items:
        lines.append(chase_line(tally.chase))
    return lines


def _since(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _grid_row(grid: GridScorecard) -> str:
    """A grid's row; 未纳入 when no month of the period is judged for it."""
    if grid.judged_from is not None and not grid.judged:
        return texts.STATS_ROW_NOT_JUDGED.format(
            name=esc(grid.grid_name), since=_since(grid.judged_from)
        )
    row = _row(grid.grid_name, grid.tally)
    if grid.judged_from is not None:
        row += texts.STATS_ROW_SINCE.format(since=_since(grid.judged_from))
    return row


def _row(name: str, tally: Tally) -> str:
    return texts.STATS_ROW.format(
        name=esc(name),
        activities=tally.activity_total,
        attendance=_pct(tally.attendance_rate),
        confirm=_pct(tally.confirm_rate),
        on_time=tally.reports_on_time,
        due=tally.reports_due,
        answered=tally.questions_answered,
        asked=tally.questions_asked,
        reached=tally.study_reached,
        members=tally.members,
        unreachable=tally.unreachable,
    )


def _capped(rows: list[str]) -> list[str]:
    if len(rows) <= MAX_ROWS:
        return rows
    return [*rows[:MAX_ROWS], texts.STATS_MORE.format(count=len(rows) - MAX_ROWS)]


@dataclass(frozen=True)
class ChartSpec:
    """What the chart shows; drawn by `render_chart` (CPU work the handler runs off the loop)."""

    title: str
    groups: tuple[tuple[str, Tally], ...]


@dataclass(frozen=True)
class StatsView:
    text: str
    # None when the scope holds no grid.
    chart: ChartSpec | None
    caption: str


def render(card: CityScorecard, scope: Scope, *, tz: tzinfo) -> StatsView:
    """The text for /stats: the city (city roles), each town seen whole, then one row per
    town (city view) or per grid; and the chart of the same groups."""
    at = card.at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
    lines = [texts.STATS_TITLE.format(period=card.period.label, at=at)]
    if not card.towns:
        lines.append(texts.STATS_NONE_IN_SCOPE)
        return StatsView("\n".join(lines), None, "")
    target = card.target_hours
    groups: list[tuple[str, Tally]]
    if scope.town_ids is None:
        name = texts.STATS_CITY
        lines += _summary(
            name,
            len(card.grids),
            card.tally,
            target=target,
            hearings=(card.hearings_confirmed, card.hearings_due),
        )
        groups = [(t.town_name, t.tally) for t in card.towns]
        lines.append(texts.STATS_ROWS_TOWNS)
        lines += _capped([_row(n, t) for n, t in groups])
    else:
        whole = [t for t in card.towns if t.town_id in scope.whole_towns]
        name = "、".join(t.town_name for t in whole) or "、".join(g.grid_name for g in card.grids)
        for town in whole:
            lines += _summary(
                town.town_name,
                len(town.grids),
                town.tally,
                target=target,
                hearings=(town.hearings_confirmed, town.hearings_due),
            )
        groups = [(g.grid_name, g.tally) for g in card.grids]
        for town in card.towns:
            lines.append(texts.STATS_ROWS_GRIDS.format(town=esc(town.town_name)))
            lines += _capped([_grid_row(g) for g in town.grids])
        if not whole:
            for grid in card.grids:
                lines += _summary(grid.grid_name, 1, grid.tally, target=target, hearings=None)
    chart = ChartSpec(
        title=texts.STATS_CHART_TITLE.format(period=card.period.label, name=name),
        groups=tuple(groups),
    )
    caption = texts.STATS_CHART_CAPTION.format(period=card.period.label, name=name)
    # Many towns of a wide scope can outgrow a message; the caption is plain text.
    return StatsView(
        truncate_html("\n".join(lines), TEXT_LIMIT), chart, truncate_plain(caption, CAPTION_LIMIT)
    )


def render_chart(spec: ChartSpec) -> bytes:
    """The chart's PNG: one group of bars per town or grid, one bar per rate."""
    tallies = [t for _, t in spec.groups]
    return bar_chart(
        title=spec.title,
        groups=[n for n, _ in spec.groups],
        series=[
            Series(texts.STATS_SERIES_ATTENDANCE, [t.attendance_rate for t in tallies]),
            Series(texts.STATS_SERIES_NOTICES, [t.confirm_rate for t in tallies]),
            Series(texts.STATS_SERIES_REPORTS, [t.on_time_rate for t in tallies]),
            Series(texts.STATS_SERIES_EDUCATION, [t.study_rate for t in tallies]),
        ],
    )


async def stats_view(
    *,
    session: AsyncSession,
    viewer: Viewer,
    period_text: str | None,
    now: datetime,
    tz: tzinfo,
    duties: DutiesConfig,
) -> StatsView:
    """/stats [period]: the viewer's scope for the period (default: this month).

    Raises PeriodError for a period that is not "2026-11", "2026Q4" or "2026".
    """
    period: Period = (
        parse_period(period_text) if period_text else parse_period(f"{now.astimezone(tz):%Y-%m}")
    )
    scope, card = await scorecard_for(
        session=session, viewer=viewer, period=period, now=now, tz=tz, duties=duties
    )
    return render(card, scope, tz=tz)


# --- /mystats ---------------------------------------------------------------------------------


async def my_progress(
    *,
    session: AsyncSession,
    viewer: Viewer,
    now: datetime,
    tz: tzinfo,
    duties: DutiesConfig,
    evaluation: EvaluationConfig | None = None,
) -> str:
    """/mystats: for each grid the viewer belongs to, this year so far: the evaluation's score,
    grade and distance to the 合格/优秀 lines (the confirmed result once the year is
    confirmed), its components, and the scorecard's numbers."""
    year = year_of(now, tz)
    at = now.astimezone(tz).strftime("%Y-%m-%d %H:%M")
    lines = [texts.MYSTATS_TITLE.format(year=year.year, at=at)]
    grids = await grids_of_person(session=session, person_id=viewer.person_id)
    if not grids:
        lines.append(texts.MYSTATS_NO_GRID)
        return "\n".join(lines)
    grid_ids = [g.grid_id for g in grids]
    card = await scorecard(
        session=session, period=year, now=now, tz=tz, duties=duties, grid_ids=grid_ids
    )
    # One study target: the duties configuration's, also in the evaluation shown here.
    config = (evaluation if evaluation is not None else evaluation_config()).with_target(
        duties.education.yearly_target_hours
    )
    outcome = await evaluation_for_year(
        session=session, year=year.year, config=config, as_of=now, tz=tz
    )
    scored = {e.grid_id: e for e in outcome.evaluations if e.grid_id in grid_ids}
    quarters = await _quarters_with_activity(session=session, grid_ids=grid_ids, now=now, tz=tz)
    for grid in card.grids:
        lines.append(texts.MYSTATS_GRID.format(grid=esc(grid.grid_name), town=esc(grid.town_name)))
        result = scored.get(grid.grid_id)
        if result is None:
            lines.append(texts.MYSTATS_NO_EVALUATION)
            done, due = quarters.get(grid.grid_id, (0, 0))
            lines.append(texts.MYSTATS_QUARTERS.format(done=done, due=due))
        else:
            lines += _standing(result, config)
        lines += _summary(grid.grid_name, 1, grid.tally, target=card.target_hours, hearings=None)[
            1:
        ]
    return "\n".join(lines)


def _standing(result: GridEvaluation, config: EvaluationConfig) -> list[str]:
    if result.grade == NOT_JUDGED:
        return [texts.MYSTATS_NOT_JUDGED.format(note=esc(result.coverage_note))]
    grades = config.grades
    reward = texts.MYSTATS_REWARD.format(amount=result.reward_yuan) if result.reward_yuan else ""
    lines = [
        texts.MYSTATS_SCORE.format(score=result.score, grade=result.grade, reward=reward),
        texts.MYSTATS_LINES.format(
            pass_min=grades.pass_min,
            excellent_min=grades.excellent_min,
            pass_low=grades.pass_reward_min,
            pass_high=grades.pass_reward_max,
            excellent_low=grades.excellent_reward_min,
            excellent_high=grades.excellent_reward_max,
        ),
    ]
    if result.coverage_note:
        lines.append(texts.MYSTATS_COVERAGE.format(note=esc(result.coverage_note)))
    if result.frozen:
        lines.append(texts.MYSTATS_FROZEN)
    if result.score < grades.pass_min:
        lines.append(texts.MYSTATS_GAP_PASS.format(gap=grades.pass_min - result.score))
    elif result.score < grades.excellent_min:
        lines.append(texts.MYSTATS_GAP_EXCELLENT.format(gap=grades.excellent_min - result.score))
    else:
        lines.append(texts.MYSTATS_TOP)
    lines += [
        texts.MYSTATS_COMPONENT.format(
            label=c.label, points=c.points, weight=c.weight, detail=esc(c.note)
        )
        if c.counted
        else texts.MYSTATS_COMPONENT_LEFT_OUT.format(label=c.label, detail=esc(c.note))
        for c in result.components
    ]
    return lines


@functools.cache
def evaluation_config() -> EvaluationConfig:
    """The shipped evaluation file, read once (the CLI validates edits)."""
    return load_evaluation_config()


async def _quarters_with_activity(
    *,
    session: AsyncSession,
    grid_ids: Sequence[int],
    now: datetime,
    tz: tzinfo,
) -> dict[int, tuple[int, int]]:
    """Grid id -> (ended quarters of this year with an activity, ended quarters)."""
    year = year_of(now, tz).year
    found: dict[int, tuple[int, int]] = {g: (0, 0) for g in grid_ids}
    for quarter in range(1, 5):
        period = parse_period(f"{year}Q{quarter}")
        start, end = period.bounds(tz)
        if end > now:
            break
        held = await activity_kinds(session=session, start=start, end=end, grid_ids=grid_ids)
        for grid_id in grid_ids:
            done, due = found[grid_id]
            found[grid_id] = (done + (1 if held.get(grid_id) else 0), due + 1)
    return found
