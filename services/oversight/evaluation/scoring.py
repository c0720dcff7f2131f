"""A grid's evaluation from its evidence, without the database: each component done out of due,
weighted; the score's grade (优秀 / 合格 / 不合格) and a suggested reward inside the policy's
bands, explained component by component (the formula is in evaluation.toml).

Required duties not done score zero; components with nothing to measure are left out and the
other weights renormalised (components_of). A grid that did nothing scores 0: 不合格, 0 yuan.
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, Decimal

from models.evaluation import GridRef
from services.coverage import NOT_COVERED
from services.oversight.evaluation.config import COMPONENTS, EvaluationConfig, Grades

EXCELLENT = "优秀"
PASS = "合格"
FAIL = "不合格"
# Not judged for the year: the grid began after the year's last month started.
NOT_JUDGED = NOT_COVERED


@dataclass(frozen=True, slots=True)
class GridEvidence:
    """What a grid did in the period evaluated: for each component, done out of due."""

    quarters_due: int = 0
    quarters_with_activity: int = 0
    # 应到: members invited to the grid's activities (models/scorecards/engagement.py).
    attendance_expected: int = 0
    attendance_checked_in: int = 0
    attendance_on_leave: int = 0
    notices_received: int = 0
    notices_confirmed: int = 0
    months_due: int = 0
    reports_on_time: int = 0
    questions_asked: int = 0
    questions_answered: int = 0
    members: int = 0
    # Sum over members of min(hours / target, 1).
    education_progress: float = 0.0
    # The target so far (pro-rated to the days elapsed) and the yearly one it comes from.
    education_target_hours: float = 0.0
    education_yearly_hours: float = 0.0
    # Set when the grid is judged only from this day of the year on (services/coverage.py).
    judged_from: date | None = None
    # True when no month or quarter of the year is judged for it.
    not_judged: bool = False


@dataclass(frozen=True, slots=True)
class Component:
    key: str
    label: str
    # The weight the points are out of: the configured one, scaled up when other components
    # were left out (renormalised so that the counted ones add up to 100).
    weight: float
    done: float
    due: float
    # min(done / due, 1); 0 when left out.
    ratio: float
    points: float
    note: str
    # False: nothing to measure and not required, left out of the score.
    counted: bool = True
    # The weight in evaluation.toml (None in results frozen before it was stored).
    base_weight: float | None = None

    def explain(self) -> str:
        if not self.counted:
            return f"{self.label} 不计入（{self.note}）"
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
    # Why only part of the year (or none of it) was judged; empty: the whole year.
    coverage_note: str = ""

    def explanation(self) -> str:
        if self.grade == NOT_JUDGED:
            return self.coverage_note
        parts = [c.explain() for c in self.components]
        if self.coverage_note:
            parts.insert(0, self.coverage_note)
        left_out = [c.label for c in self.components if not c.counted]
        if left_out and len(left_out) < len(self.components):
            parts.append(
                f"{'、'.join(left_out)}无可计事项，不计入；其余各项权重按比例折算为满分 100 分"
            )
        elif left_out:
            parts.append("尚无可计事项，得 0 分")
        return "；".join(parts)


def _component(
    key: str, config: EvaluationConfig, done: float, due: float, note: str, *, scale: float
) -> Component:
    base = config.weights.of(key)
    counted = due > 0
    weight = round(base * scale, 2) if counted else 0.0
    ratio = min(done / due, 1.0) if counted else 0.0
    return Component(
        key=key,
        label=COMPONENTS[key],
        weight=weight,
        done=done,
        due=due,
        ratio=ratio,
        points=round(base * scale * ratio, 2),
        note=note,
        counted=counted,
        base_weight=base,
    )


def _dues(e: GridEvidence) -> dict[str, float]:
    return {
        "activities": e.quarters_due,
        "attendance": e.attendance_expected,
        "notices": e.notices_received,
        "reports": e.months_due,
        "questions": e.questions_asked,
        "education": e.members,
    }


def components_of(evidence: GridEvidence, config: EvaluationConfig) -> tuple[Component, ...]:
    """Each component's points.

    A required duty is due for every period that ended: a quarter without an activity or a
    month without an on-time report scores zero (as do members short of their study hours).
    A component with nothing to measure (no activity to attend, no notice received, no
    question asked, no member) is left out, and the weights of the others are scaled up to add
    up to 100; a grid with nothing to measure at all scores 0. Nothing is granted for work
    that was not there to judge.
    """
    e = evidence
    dues = _dues(e)
    counted_weight = sum(config.weights.of(k) for k, due in dues.items() if due > 0)
    scale = 100 / counted_weight if counted_weight > 0 else 0.0
    leave = f"，请假 {e.attendance_on_leave} 人次不计缺勤" if e.attendance_on_leave else ""
    target = (
        f"年度目标 {e.education_yearly_hours:g} 学时/人，截至评定日按 "
        f"{e.education_target_hours:g} 学时计"
        if e.education_yearly_hours and e.education_yearly_hours != e.education_target_hours
        else f"目标 {e.education_target_hours:g} 学时/人"
    )
    return (
        _component(
            "activities",
            config,
            e.quarters_with_activity,
            e.quarters_due,
            f"已结束的 {e.quarters_due} 个季度中 {e.quarters_with_activity} 个季度组织了活动"
            if e.quarters_due
            else "尚无已结束的季度",
            scale=scale,
        ),
        _component(
            "attendance",
            config,
            e.attendance_checked_in,
            e.attendance_expected,
            f"签到 {e.attendance_checked_in} 人次 / 应到 {e.attendance_expected} 人次"
            f"（应到：受邀的已绑定成员）{leave}"
            if e.attendance_expected
            else f"无应到人次（未组织活动或无受邀成员）{leave}",
            scale=scale,
        ),
        _component(
            "notices",
            config,
            e.notices_confirmed,
            e.notices_received,
            f"已阅 {e.notices_confirmed} / 收到 {e.notices_received} 份通知"
            if e.notices_received
            else "未收到发给本网格的通知",
            scale=scale,
        ),
        _component(
            "reports",
            config,
            e.reports_on_time,
            e.months_due,
            f"已结束的 {e.months_due} 个月中按时汇报 {e.reports_on_time} 个月"
            if e.months_due
            else "尚无已结束的月份",
            scale=scale,
        ),
        _component(
            "questions",
            config,
            e.questions_answered,
            e.questions_asked,
            f"答复 {e.questions_answered} / 提问 {e.questions_asked} 个"
            if e.questions_asked
            else "无人提问",
            scale=scale,
        ),
        _component(
            "education",
            config,
            e.education_progress,
            e.members,
            f"{e.members} 名成员平均完成 {_percent(e.education_progress, e.members)}（{target}）"
            if e.members
            else "网格暂无成员",
            scale=scale,
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
    """A grid's evaluation from its evidence: score (two decimals), grade, reward, components.
    A grid not judged for the year is 未纳入 with no score and no reward."""
    note = coverage_note(evidence)
    if evidence.not_judged:
        return GridEvaluation(
            grid_id=ref.grid_id,
            grid_name=ref.grid_name,
            town_id=ref.town_id,
            town_name=ref.town_name,
            score=0.0,
            grade=NOT_JUDGED,
            reward_yuan=0,
            components=(),
            coverage_note=note,
        )
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
        coverage_note=note,
    )


def coverage_note(evidence: GridEvidence) -> str:
    """How the explanation says the year was judged only in part, or not at all."""
    since = evidence.judged_from
    if since is None:
        return ""
    day = f"{since.year}年{since.month}月{since.day}日"
    if evidence.not_judged:
        return (
            f"本网格自{day}起纳入考核，本年度没有纳入后开始的月份或季度，{NOT_JUDGED}，不参加评定"
        )
    return f"本网格自{day}起纳入考核，本年度只计此后开始的月份和季度，学时目标按纳入后的天数折算"
