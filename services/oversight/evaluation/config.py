"""Weights and thresholds of the annual grid evaluation: a TOML file the city statistics bureau
can edit (default: evaluation.toml next to this module), validated with clear Chinese errors.

The policy fixes only the reward bands (合格 1000–3000 yuan, 优秀 3000–5000 yuan); the
validation keeps an edited file inside them.
"""

import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from services.duties.config import load_duties

DEFAULT_FILE = Path(__file__).with_name("evaluation.toml")

POLICY_PASS_BAND = (1000, 3000)
POLICY_EXCELLENT_BAND = (3000, 5000)

# Component keys in the order the evaluation sheet shows them, with their Chinese labels.
COMPONENTS: dict[str, str] = {
    "activities": "季度活动",
    "attendance": "活动出勤",
    "notices": "通知已阅",
    "reports": "月度汇报",
    "questions": "问题答复",
    "education": "继续教育",
}


class EvaluationConfigError(Exception):
    """The evaluation file is missing or wrong; the message says where, in Chinese."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Weights(_Section):
    activities: float = Field(default=25, ge=0, le=100)
    attendance: float = Field(default=15, ge=0, le=100)
    notices: float = Field(default=15, ge=0, le=100)
    reports: float = Field(default=20, ge=0, le=100)
    questions: float = Field(default=10, ge=0, le=100)
    education: float = Field(default=15, ge=0, le=100)

    @model_validator(mode="after")
    def _sum_to_100(self) -> "Weights":
        total = sum(self.of(key) for key in COMPONENTS)
        if abs(total - 100) > 1e-9:
            raise ValueError(f"各项权重之和应为 100，现为 {total:g}")
        return self

    def of(self, key: str) -> float:
        return float(getattr(self, key))


class Grades(_Section):
    pass_min: float = Field(default=60, gt=0, lt=100)
    excellent_min: float = Field(default=85, gt=0, lt=100)
    pass_reward_min: int = 1000
    pass_reward_max: int = 3000
    excellent_reward_min: int = 3000
    excellent_reward_max: int = 5000
    reward_step: int = Field(default=100, ge=1, le=1000)

    @model_validator(mode="after")
    def _bands(self) -> "Grades":
        if self.pass_min >= self.excellent_min:
            raise ValueError("合格线 pass_min 应低于优秀线 excellent_min")
        for label, low, high, band in (
            ("合格", self.pass_reward_min, self.pass_reward_max, POLICY_PASS_BAND),
            ("优秀", self.excellent_reward_min, self.excellent_reward_max, POLICY_EXCELLENT_BAND),
        ):
            if not band[0] <= low <= high <= band[1]:
                raise ValueError(
                    f"{label}奖励 {low}–{high} 元应在政策规定的 {band[0]}–{band[1]} 元之内，"
                    "且下限不高于上限"
                )
        return self


class Education(_Section):
    # Not read from evaluation.toml: the one study target is services/duties/duties.toml
    # [education] yearly_target_hours, filled in by load_evaluation_config (kept here so that
    # a confirmed run's snapshot records the target it was computed with).
    yearly_target_hours: float = Field(default=24, gt=0, le=500)


class Funding(_Section):
    yuan_per_object: int = Field(default=500, ge=0, le=100_000)


class EvaluationConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    weights: Weights = Weights()
    grades: Grades = Grades()
    education: Education = Education()
    funding: Funding = Funding()

    def with_target(self, yearly_target_hours: float) -> "EvaluationConfig":
        """The same settings with the study target of the duties configuration in use."""
        if yearly_target_hours == self.education.yearly_target_hours:
            return self
        return self.model_copy(
            update={"education": Education(yearly_target_hours=yearly_target_hours)}
        )

    def snapshot(self) -> dict[str, Any]:
        """The settings as plain data, stored with a confirmed evaluation."""
        return self.model_dump(mode="json")


def load_evaluation_config(
    path: Path | None = None, *, yearly_target_hours: float | None = None
) -> EvaluationConfig:
    """Read and validate the evaluation file; raises EvaluationConfigError listing every problem.

    The study target is not the evaluation file's: it is `yearly_target_hours` if given, else
    the shipped duties file's [education] yearly_target_hours (services/duties/duties.toml),
    the one target every surface reads.
    """
    path = path or DEFAULT_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise EvaluationConfigError(f"无法读取评定配置文件 {path}：{exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise EvaluationConfigError(f"评定配置文件 {path} 格式错误：{exc}") from exc
    if "education" in data:
        raise EvaluationConfigError(
            f"评定配置文件 {path} 有误：[education] 不在此设置；继续教育年度目标学时只在职责配置 "
            "duties.toml 的 [education] yearly_target_hours 中设置，各处统一读取"
        )
    if yearly_target_hours is None:
        yearly_target_hours = load_duties().education.yearly_target_hours
    data["education"] = {"yearly_target_hours": yearly_target_hours}
    try:
        return EvaluationConfig.model_validate(data)
    except ValidationError as exc:
        problems = "；".join(
            f"[{'.'.join(str(p) for p in err['loc']) or '全局'}] {err['msg']}"
            for err in exc.errors()
        )
        raise EvaluationConfigError(f"评定配置文件 {path} 有误：{problems}") from exc
