"""The annual grid evaluation (年度绩效评定): each level-3 grid's score from a year's evidence,
its grade (优秀 / 合格 / 不合格) and a suggested reward inside the policy's bands, explained
component by component; confirmation by 市统计局 freezes a year's results.

The formula is in evaluation.toml (see its comments). `as_of` before the end of the year gives
the standing so far: only quarters and months that have ended are due, and the education target
is pro-rated to the days elapsed.
"""

import io
from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import date, datetime, tzinfo
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from sqlmodel.ext.asyncio.session import AsyncSession

from models import evaluation as queries
from models.study import grid_memberships, hours_by_person
from models.tables import EvaluationResult, EvaluationRun
from services.oversight.evaluation_config import COMPONENTS, EvaluationConfig, Grades
from services.xlsx import write_sheet

SHANGHAI = ZoneInfo("Asia/Shanghai")

EXCELLENT = "优秀"
PASS = "合格"
FAIL = "不合格"


class AlreadyConfirmed(Exception):
    """The year's evaluation was confirmed before: its results are frozen."""


@dataclass(frozen=True, slots=True)
class GridEvidence:
    """What a grid did in the period evaluated: for each component, done out of due."""

    quarters_due: int = 0
    quarters_with_activity: int = 0
    attendance_expected: int = 0
    attendance_checked_in: int = 0
    notices_received: int = 0
    notices_confirmed: int = 0
    months_due: int = 0
    reports_on_time: int = 0
    questions_asked: int = 0
    questions_answered: int = 0
    members: int = 0
    # Sum over members of min(hours / target, 1).
    education_progress: float = 0.0
    education_target_hours: float = 0.0


@dataclass(frozen=True, slots=True)
class Component:
    key: str
    label: str
    weight: float
    done: float
    due: float
    # min(done / due, 1); 1 when nothing was due.
    ratio: float
    points: float
    note: str

    def explain(self) -> str:
        return f"{self.label} {self.points:.2f}/{self.weight:g} 分（{self.note}）"


@dataclass(frozen=True, slots=True)
class GridEvaluation:
    grid_id: int
    grid_name: str
    town_id: int
    town_name: str
    score: float
    grade: str
    reward_yuan: int
    components: tuple[Component, ...]
    # True when read from a confirmed (frozen) evaluation.
    frozen: bool = False

    def explanation(self) -> str:
        return "；".join(c.explain() for c in self.components)


# --- Scoring (pure) ----------------------------------------------------------------------------


def _component(key: str, config: EvaluationConfig, done: float, due: float, note: str) -> Component:
    weight = config.weights.of(key)
    if due <= 0:
        ratio, note = 1.0, f"{note}；无应计事项，按满分计"
    else:
        ratio = min(done / due, 1.0)
    return Component(
        key=key,
        label=COMPONENTS[key],
        weight=weight,
        done=done,
        due=due,
        ratio=ratio,
        points=round(weight * ratio, 2),
        note=note,
    )


def components_of(evidence: GridEvidence, config: EvaluationConfig) -> tuple[Component, ...]:
    e = evidence
    return (
        _component(
            "activities",
            config,
            e.quarters_with_activity,
            e.quarters_due,
            f"已结束的 {e.quarters_due} 个季度中 {e.quarters_with_activity} 个季度组织了活动",
        ),
        _component(
            "attendance",
            config,
            e.attendance_checked_in,
            e.attendance_expected,
            f"签到 {e.attendance_checked_in} 人次 / 应到 {e.attendance_expected} 人次",
        ),
        _component(
            "notices",
            config,
            e.notices_confirmed,
            e.notices_received,
            f"已阅 {e.notices_confirmed} / 收到 {e.notices_received} 份通知",
        ),
        _component(
            "reports",
            config,
            e.reports_on_time,
            e.months_due,
            f"已结束的 {e.months_due} 个月中按时汇报 {e.reports_on_time} 个月",
        ),
        _component(
            "questions",
            config,
            e.questions_answered,
            e.questions_asked,
            f"答复 {e.questions_answered} / 提问 {e.questions_asked} 个",
        ),
        _component(
            "education",
            config,
            e.education_progress,
            e.members,
            f"{e.members} 名成员平均完成 {_percent(e.education_progress, e.members)}"
            f"（目标 {e.education_target_hours:g} 学时/人）",
        ),
    )


def _percent(done: float, due: float) -> str:
    return f"{min(done / due, 1.0):.0%}" if due > 0 else "—"


def grade_for(score: float, grades: Grades) -> tuple[str, int]:
    """Grade and suggested reward (yuan) for a score with two decimals.

    Inside a band the reward grows linearly with the score from the band's lower to its upper
    amount, rounded down to `reward_step` yuan (never below the band's lower amount).
    """
    value = Decimal(str(score))
    excellent, passing = Decimal(str(grades.excellent_min)), Decimal(str(grades.pass_min))
    if value >= excellent:
        grade, low, high = EXCELLENT, grades.excellent_reward_min, grades.excellent_reward_max
        fraction = (value - excellent) / (Decimal(100) - excellent)
    elif value >= passing:
        grade, low, high = PASS, grades.pass_reward_min, grades.pass_reward_max
        fraction = (value - passing) / (excellent - passing)
    else:
        return FAIL, 0
    amount = Decimal(low) + min(fraction, Decimal(1)) * (high - low)
    step = Decimal(grades.reward_step)
    rounded = (amount / step).to_integral_value(rounding=ROUND_FLOOR) * step
    return grade, int(min(max(rounded, Decimal(low)), Decimal(high)))


def score_evidence(
    ref: queries.GridRef, evidence: GridEvidence, config: EvaluationConfig
) -> GridEvaluation:
    """A grid's evaluation from its evidence: score (two decimals), grade, reward, components."""
    components = components_of(evidence, config)
    score = round(sum(c.points for c in components), 2)
    grade, reward = grade_for(score, config.grades)
    return GridEvaluation(
        grid_id=ref.grid_id,
        grid_name=ref.grid_name,
        town_id=ref.town_id,
        town_name=ref.town_name,
        score=score,
        grade=grade,
        reward_yuan=reward,
        components=components,
    )


# --- Evidence from the database ------------------------------------------------------------------


def _year_bounds(year: int, tz: tzinfo) -> tuple[datetime, datetime]:
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
    tz: tzinfo = SHANGHAI,
) -> list[tuple[queries.GridRef, GridEvidence]]:
    """Each level-3 grid's evidence for `year` up to `as_of` (default: the whole year).

    Members are a grid's current statisticians and staff (as for continuing education).
    """
    start, end = _year_bounds(year, tz)
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
    activities_of: dict[int, list[int]] = defaultdict(list)
    for activity_id, grid_id, starts_at in await queries.activities_held(
        session=session, start=start, end=until
    ):
        activities_of[grid_id].append(activity_id)
        quarter = (starts_at.astimezone(tz).month - 1) // 3 + 1
        if quarter in quarters_due:
            activity_quarters[grid_id].add(quarter)
    attendees: dict[int, set[int]] = defaultdict(set)
    for activity_id, person_id in await queries.check_ins(session=session, start=start, end=until):
        attendees[activity_id].add(person_id)
    receipts = await queries.notice_receipts(session=session, start=start, end=until)
    on_time: dict[int, int] = defaultdict(int)
    for grid_id, _period, late in await queries.reports_in(session=session, periods=periods_due):
        if not late:
            on_time[grid_id] += 1
    questions = await queries.question_counts(session=session, start=start, end=until)
    hours = await hours_by_person(session=session, year=year)

    found = []
    for ref in grids:
        people = members[ref.grid_id]
        held = activities_of[ref.grid_id]
        received = sum(receipts.get(p, (0, 0))[0] for p in people)
        confirmed = sum(receipts.get(p, (0, 0))[1] for p in people)
        asked, answered = questions.get(ref.grid_id, (0, 0))
        progress = sum(min(hours.get(p, 0.0) / target, 1.0) for p in people) if target > 0 else 0.0
        found.append(
            (
                ref,
                GridEvidence(
                    quarters_due=len(quarters_due),
                    quarters_with_activity=len(activity_quarters[ref.grid_id]),
                    attendance_expected=len(held) * len(people),
                    attendance_checked_in=sum(len(attendees[a] & people) for a in held),
                    notices_received=received,
                    notices_confirmed=confirmed,
                    months_due=len(periods_due),
                    reports_on_time=on_time[ref.grid_id],
                    questions_asked=asked,
                    questions_answered=answered,
                    members=len(people) if target > 0 else 0,
                    education_progress=round(progress, 4),
                    education_target_hours=round(target, 1),
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
    tz: tzinfo = SHANGHAI,
) -> list[GridEvaluation]:
    """Every level-3 grid's evaluation computed from the data now (never the frozen results)."""
    evidence = await collect_evidence(session=session, year=year, config=config, as_of=as_of, tz=tz)
    return [score_evidence(ref, e, config) for ref, e in evidence]


async def score_grid(
    *,
    session: AsyncSession,
    grid_id: int,
    year: int,
    config: EvaluationConfig,
    as_of: datetime | None = None,
    tz: tzinfo = SHANGHAI,
) -> GridEvaluation | None:
    """One grid's standing: its frozen result when the year is confirmed, else computed up to
    `as_of` (e.g. now, for 我的考核进度). None for an unknown or non-level-3 grid."""
    outcome = await evaluation_for_year(
        session=session, year=year, config=config, as_of=as_of, tz=tz
    )
    return next((e for e in outcome.evaluations if e.grid_id == grid_id), None)


# --- Confirmation and freezing ---------------------------------------------------------------


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
    )


async def evaluation_for_year(
    *,
    session: AsyncSession,
    year: int,
    config: EvaluationConfig,
    as_of: datetime | None = None,
    tz: tzinfo = SHANGHAI,
) -> EvaluationOutcome:
    """The confirmed results of `year` if there are any, else the evaluation computed now."""
    run = await queries.confirmed_run(session=session, year=year)
    if run is not None and run.id is not None:
        results = await queries.run_results(session=session, run_id=run.id)
        return EvaluationOutcome(year, [_frozen(r) for r in results], run)
    evaluations = await evaluate_year(session=session, year=year, config=config, as_of=as_of, tz=tz)
    return EvaluationOutcome(year, evaluations, None)


async def confirm_year(
    *,
    session: AsyncSession,
    year: int,
    config: EvaluationConfig,
    confirmed_by: str,
    now: datetime,
    tz: tzinfo = SHANGHAI,
) -> EvaluationOutcome:
    """Compute the whole year's evaluation and freeze it; the caller commits.

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
        )
        for e in evaluations
    ]
    if not await queries.insert_run(session=session, run=run, results=rows):
        raise AlreadyConfirmed(year)
    return EvaluationOutcome(year, [_frozen(r) for r in rows], run)


def summary(outcome: EvaluationOutcome) -> str:
    """A few lines for the console: how many grids per grade and the rewards in total."""
    counts = {grade: 0 for grade in (EXCELLENT, PASS, FAIL)}
    for e in outcome.evaluations:
        counts[e.grade] += 1
    total = sum(e.reward_yuan for e in outcome.evaluations)
    state = (
        f"已于 {outcome.run.confirmed_at.astimezone(SHANGHAI):%Y-%m-%d %H:%M} 由 "
        f"{outcome.run.confirmed_by} 确认（结果已冻结）"
        if outcome.run is not None
        else "尚未确认（按当前数据计算）"
    )
    return (
        f"{outcome.year} 年度网格绩效评定：{state}\n"
        f"共 {len(outcome.evaluations)} 个三级网格：优秀 {counts[EXCELLENT]} 个，"
        f"合格 {counts[PASS]} 个，不合格 {counts[FAIL]} 个；建议奖励合计 {total} 元。"
    )


# --- The evaluation sheet --------------------------------------------------------------------


def _save(workbook: Workbook, path: Path | None) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = buffer.getvalue()
    if path is not None:
        path.write_bytes(data)
    return data


def evaluation_xlsx(
    outcome: EvaluationOutcome, config: EvaluationConfig, path: Path | None = None
) -> bytes:
    """The evaluation sheet for the bureau (评定结果 + 评分办法); saved to `path` if given."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "评定结果"
    headers = [
        "乡镇（街道）",
        "网格",
        "得分",
        "等级",
        "建议奖励（元）",
        *(f"{label}（{config.weights.of(key):g}分）" for key, label in COMPONENTS.items()),
        "评分说明",
    ]
    rows: list[list[Any]] = []
    for e in outcome.evaluations:
        points = {c.key: c.points for c in e.components}
        rows.append(
            [
                e.town_name,
                e.grid_name,
                e.score,
                e.grade,
                e.reward_yuan,
                *(points.get(key) for key in COMPONENTS),
                e.explanation(),
            ]
        )
    write_sheet(sheet, headers, rows)
    method = workbook.create_sheet("评分办法")
    run = outcome.run
    state = (
        f"已确认：{run.confirmed_at.astimezone(SHANGHAI):%Y-%m-%d %H:%M}，{run.confirmed_by}"
        if run is not None
        else "未确认：按导出时的数据计算，确认后冻结"
    )
    used = EvaluationConfig.model_validate(run.config) if run is not None else config
    g = used.grades
    write_sheet(
        method,
        ["项目", "内容"],
        [
            ["年度", str(outcome.year)],
            ["状态", state],
            *(
                [f"权重：{label}", f"{used.weights.of(key):g} 分"]
                for key, label in COMPONENTS.items()
            ),
            [
                "优秀",
                f"得分 ≥ {g.excellent_min:g}，"
                f"奖励 {g.excellent_reward_min}–{g.excellent_reward_max} 元",
            ],
            ["合格", f"得分 ≥ {g.pass_min:g}，奖励 {g.pass_reward_min}–{g.pass_reward_max} 元"],
            ["不合格", f"得分 < {g.pass_min:g}，无奖励"],
            ["建议奖励", f"档内按得分线性取值，向下取整到 {g.reward_step} 元"],
            ["继续教育目标", f"{used.education.yearly_target_hours:g} 学时/人/年"],
        ],
    )
    return _save(workbook, path)


# --- Funding ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ObjectFunding:
    town_name: str
    name: str
    # The local day it joined when that was during the year; None: on the roster all year.
    joined_on: date | None
    days: int
    yuan: Decimal


@dataclass(frozen=True, slots=True)
class TownFunding:
    town_id: int
    town_name: str
    objects_full_year: int
    objects_joined: int
    object_yuan: Decimal
    reward_yuan: int

    @property
    def total_yuan(self) -> Decimal:
        return self.object_yuan + self.reward_yuan


@dataclass(frozen=True, slots=True)
class FundingLedger:
    year: int
    yuan_per_object: int
    # False: the year's evaluation is not confirmed, so no rewards are included yet.
    rewards_confirmed: bool
    towns: list[TownFunding]
    objects: list[ObjectFunding]


def pro_rata(yuan_per_year: int, joined_on: date | None, year: int) -> tuple[int, Decimal]:
    """(days funded, yuan) for an object: the whole year, or from the day it joined through
    31 December inclusive, yuan_per_year × days / days in the year, rounded half up to fen."""
    first, next_first = date(year, 1, 1), date(year + 1, 1, 1)
    year_days = (next_first - first).days
    days = year_days if joined_on is None or joined_on <= first else (next_first - joined_on).days
    amount = Decimal(yuan_per_year) * days / year_days
    return days, amount.quantize(Decimal("0.01"))


async def funding_ledger(
    *,
    session: AsyncSession,
    year: int,
    config: EvaluationConfig,
    tz: tzinfo = SHANGHAI,
) -> FundingLedger:
    """Per town: survey objects × yuan_per_object (pro rata for objects that joined during the
    year, by their roster date) plus the year's confirmed rewards."""
    start, end = _year_bounds(year, tz)
    per_object = config.funding.yuan_per_object
    objects: list[ObjectFunding] = []
    towns: dict[int, dict[str, Any]] = {}
    for row in await queries.survey_objects_before(session=session, end=end):
        joined: date | None = row.created_at.astimezone(tz).date()
        if row.created_at < start or joined == date(year, 1, 1):
            # On the roster since the year began: funded for the whole year.
            joined = None
        days, yuan = pro_rata(per_object, joined, year)
        objects.append(ObjectFunding(row.town_name, row.name, joined, days, yuan))
        town = towns.setdefault(
            row.town_id, {"name": row.town_name, "full": 0, "joined": 0, "yuan": Decimal(0)}
        )
        town["full" if joined is None else "joined"] += 1
        town["yuan"] += yuan
    rewards: dict[int, int] = defaultdict(int)
    run = await queries.confirmed_run(session=session, year=year)
    if run is not None and run.id is not None:
        for result in await queries.run_results(session=session, run_id=run.id):
            rewards[result.town_id] += result.reward_yuan
            towns.setdefault(
                result.town_id,
                {"name": result.town_name, "full": 0, "joined": 0, "yuan": Decimal(0)},
            )
    return FundingLedger(
        year=year,
        yuan_per_object=per_object,
        rewards_confirmed=run is not None,
        towns=sorted(
            (
                TownFunding(
                    town_id=town_id,
                    town_name=t["name"],
                    objects_full_year=t["full"],
                    objects_joined=t["joined"],
                    object_yuan=t["yuan"],
                    reward_yuan=rewards[town_id],
                )
                for town_id, t in towns.items()
            ),
            key=lambda t: t.town_name,
        ),
        objects=objects,
    )


def funding_xlsx(ledger: FundingLedger, path: Path | None = None) -> bytes:
    """The funding ledger (经费汇总 per town, 调查对象明细 per object); saved to `path` if given."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "经费汇总"
    reward_header = "确认奖励（元）" if ledger.rewards_confirmed else "确认奖励（元，评定未确认）"
    write_sheet(
        sheet,
        [
            "乡镇（街道）",
            "全年在册调查对象",
            "年内新增调查对象",
            f"活动经费（元，{ledger.yuan_per_object}元/个/年）",
            reward_header,
            "合计（元）",
        ],
        [
            [
                t.town_name,
                t.objects_full_year,
                t.objects_joined,
                float(t.object_yuan),
                t.reward_yuan,
                float(t.total_yuan),
            ]
            for t in ledger.towns
        ],
    )
    detail = workbook.create_sheet("调查对象明细")
    write_sheet(
        detail,
        ["乡镇（街道）", "调查对象", "年内纳入日期", "计费天数", "活动经费（元）"],
        [[o.town_name, o.name, o.joined_on, o.days, float(o.yuan)] for o in ledger.objects],
    )
    note = workbook.create_sheet("说明")
    write_sheet(
        note,
        ["项目", "内容"],
        [
            ["年度", str(ledger.year)],
            [
                "活动经费",
                f"每个统计调查对象每年 {ledger.yuan_per_object} 元；年内新纳入的按天折算："
                f"{ledger.yuan_per_object} × 当年剩余天数（含纳入当天）/ 当年天数，保留到分",
            ],
            [
                "奖励",
                "已计入市统计局确认的年度评定奖励"
                if ledger.rewards_confirmed
                else "年度评定尚未确认，奖励未计入",
            ],
        ],
    )
    return _save(workbook, path)
