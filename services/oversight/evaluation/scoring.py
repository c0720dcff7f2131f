"""A grid's evaluation from its evidence, without the database: each component done out of due,
weighted; the score's grade (优秀 / 合格 / 不合格) and a suggested reward inside the policy's
bands, explained component by component (the formula is in evaluation.toml)."""

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from models.evaluation import GridRef
from services.oversight.evaluation.config import COMPONENTS, EvaluationConfig, Grades

EXCELLENT = "优秀"
PASS = "合格"
FAIL = "不合格"


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
    ref: GridRef, evidence: GridEvidence, config: EvaluationConfig
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
