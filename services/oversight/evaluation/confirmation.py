"""A year's evaluation as the bureau sees it: the frozen results once 市统计局 confirmed the
year, computed from the data now until then; confirming freezes them."""

from collections import Counter
from dataclasses import asdict, dataclass
from datetime import datetime, tzinfo

from sqlmodel.ext.asyncio.session import AsyncSession

from models import evaluation as queries
from models.tables import EvaluationResult, EvaluationRun
from services.audit import Actor, AuditAction, record
from services.oversight.evaluation.config import EvaluationConfig
from services.oversight.evaluation.evidence import evaluate_year
from services.oversight.evaluation.scoring import (
    EXCELLENT,
    FAIL,
    NOT_JUDGED,
    PASS,
    Component,
    GridEvaluation,
)


class AlreadyConfirmed(Exception):
    """The year's evaluation was confirmed before: its results are frozen."""


@dataclass(frozen=True, slots=True)
class EvaluationOutcome:
    year: int
    evaluations: list[GridEvaluation]
    # Set when the year is confirmed: the evaluations are the frozen ones.
    run: EvaluationRun | None


def _frozen(result: EvaluationResult) -> GridEvaluation:
    return GridEvaluation(
        grid_id=result.grid_id,
        grid_name=result.grid_name,
        town_id=result.town_id,
        town_name=result.town_name,
        score=result.score,
        grade=result.grade,
        reward_yuan=result.reward_yuan,
        components=tuple(Component(**c) for c in result.components),
        frozen=True,
        coverage_note=result.coverage_note,
    )


async def evaluation_for_year(
    *,
    session: AsyncSession,
    year: int,
    config: EvaluationConfig,
    as_of: datetime | None = None,
    tz: tzinfo,
) -> EvaluationOutcome:
    """The confirmed results of `year` if there are any, else the evaluation computed now."""
    run = await queries.confirmed_run(session=session, year=year)
    if run is not None and run.id is not None:
        results = await queries.run_results(session=session, run_id=run.id)
        return EvaluationOutcome(year, [_frozen(r) for r in results], run)
    evaluations = await evaluate_year(session=session, year=year, config=config, as_of=as_of, tz=tz)
    return EvaluationOutcome(year, evaluations, None)


async def score_grid(
    *,
    session: AsyncSession,
    grid_id: int,
    year: int,
    config: EvaluationConfig,
    as_of: datetime | None = None,
    tz: tzinfo,
) -> GridEvaluation | None:
    """One grid's standing: its frozen result when the year is confirmed, else computed up to
    `as_of` (e.g. now, for 我的考核进度). None for an unknown or non-level-3 grid."""
    outcome = await evaluation_for_year(
        session=session, year=year, config=config, as_of=as_of, tz=tz
    )
    return next((e for e in outcome.evaluations if e.grid_id == grid_id), None)


async def confirm_year(
    *,
    session: AsyncSession,
    year: int,
    config: EvaluationConfig,
    confirmed_by: str,
    now: datetime,
    tz: tzinfo,
    actor: Actor | None = None,
) -> EvaluationOutcome:
    """Compute the whole year's evaluation and freeze it (and audit it, with `actor`); the
    caller commits.

    Raises AlreadyConfirmed when the year was confirmed before (also by a concurrent call).
    """
    if await queries.confirmed_run(session=session, year=year) is not None:
        raise AlreadyConfirmed(year)
    evaluations = await evaluate_year(session=session, year=year, config=config, tz=tz)
    run = EvaluationRun(
        year=year, config=config.snapshot(), confirmed_by=confirmed_by, confirmed_at=now
    )
    rows = [
        EvaluationResult(
            run_id=0,
            grid_id=e.grid_id,
            grid_name=e.grid_name,
            town_id=e.town_id,
            town_name=e.town_name,
            score=e.score,
            grade=e.grade,
            reward_yuan=e.reward_yuan,
            components=[asdict(c) for c in e.components],
            coverage_note=e.coverage_note,
        )
        for e in evaluations
    ]
    if not await queries.insert_run(session=session, run=run, results=rows):
        raise AlreadyConfirmed(year)
    if actor is not None:
        grades = Counter(r.grade for r in rows)
        counted = "、".join(f"{grade} {n} 个" for grade, n in sorted(grades.items()))
        await record(
            session=session,
            actor=actor,
            action=AuditAction.EVALUATION_CONFIRM,
            summary=(
                f"{year} 年度网格绩效评定已确认（{confirmed_by}）：{len(rows)} 个网格；{counted}"
            ),
            now=now,
        )
    return EvaluationOutcome(year, [_frozen(r) for r in rows], run)


def summary(outcome: EvaluationOutcome, *, tz: tzinfo) -> str:
    """A few lines for the console: how many grids per grade and the rewards in total."""
    counts = {grade: 0 for grade in (EXCELLENT, PASS, FAIL, NOT_JUDGED)}
    for e in outcome.evaluations:
        counts[e.grade] += 1
    total = sum(e.reward_yuan for e in outcome.evaluations)
    state = (
        f"已于 {outcome.run.confirmed_at.astimezone(tz):%Y-%m-%d %H:%M} 由 "
        f"{outcome.run.confirmed_by} 确认（结果已冻结）"
        if outcome.run is not None
        else "尚未确认（按当前数据计算）"
    )
    return (
        f"{outcome.year} 年度网格绩效评定：{state}\n"
        f"共 {len(outcome.evaluations)} 个三级网格：优秀 {counts[EXCELLENT]} 个，"
        f"合格 {counts[PASS]} 个，不合格 {counts[FAIL]} 个"
        + (f"，{NOT_JUDGED} {counts[NOT_JUDGED]} 个" if counts[NOT_JUDGED] else "")
        + f"；建议奖励合计 {total} 元。"
    )
