"""The 联网直报 calendar's schema: which reports each industry files, how often and on which day,
validated with every problem named in Chinese (the file is read by `config.load_calendar`)."""

from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails

from models.enums import Industry
from services.duties import texts

QUARTER_MONTHS = (1, 4, 7, 10)
INDUSTRY_CHOICES = "、".join(industry.value for industry in Industry)


class Frequency(StrEnum):
    MONTHLY = "月报"
    QUARTERLY = "季报"
    ANNUAL = "年报"


class DeadlineEntry(BaseModel):
    """One report: which industries file it, how often, and on which day."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=60)
    industries: tuple[Industry, ...] = Field(min_length=1)
    frequency: Frequency
    day: int = Field(ge=1, le=28)
    months: tuple[int, ...] | None = None

    @field_validator("industries", mode="before")
    @classmethod
    def _industries(cls, value: Any) -> Any:
        if isinstance(value, list | tuple):
            for item in value:
                if item not in {industry.value for industry in Industry}:
                    raise ValueError(f"「{item}」不是有效的行业，可选：{INDUSTRY_CHOICES}")
            if len(set(value)) != len(value):
                raise ValueError("行业重复")
        return value

    @field_validator("frequency", mode="before")
    @classmethod
    def _frequency(cls, value: Any) -> Any:
        if value not in {frequency.value for frequency in Frequency}:
            raise ValueError(f"「{value}」不是有效的频率，可选：月报、季报、年报")
        return value

    @field_validator("months")
    @classmethod
    def _months(cls, value: tuple[int, ...] | None) -> tuple[int, ...] | None:
        if value is None:
            return None
        if not value or any(m < 1 or m > 12 for m in value) or len(set(value)) != len(value):
            raise ValueError("月份须为 1–12 之间且不重复")
        return tuple(sorted(value))

    @model_validator(mode="after")
    def _months_fit_frequency(self) -> "DeadlineEntry":
        months = self.months
        if self.frequency == Frequency.QUARTERLY and months is not None and len(months) != 4:
            raise ValueError("季报的 months 须正好写4个月份（不写则为 1、4、7、10 月）")
        if self.frequency == Frequency.ANNUAL and (months is None or len(months) != 1):
            raise ValueError("年报须用 months 写明截止日所在的1个月份，例如 months = [3]")
        return self

    @property
    def deadline_months(self) -> tuple[int, ...]:
        if self.months is not None:
            return self.months
        return QUARTER_MONTHS if self.frequency == Frequency.QUARTERLY else tuple(range(1, 13))

    def deadlines_in(self, year: int) -> list[date]:
        """The nominal deadlines of `year` (before moving off weekends and holidays)."""
        return [date(year, month, self.day) for month in self.deadline_months]


class ReportingCalendar(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # True for the shipped example: every reminder says its dates are not official.
    example: bool
    deadline: tuple[DeadlineEntry, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_names(self) -> "ReportingCalendar":
        names = [entry.name for entry in self.deadline]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(f"报表名称重复：{'、'.join(repeated)}")
        return self


def _reason(error: ErrorDetails) -> str:
    kind, ctx = error["type"], error.get("ctx", {})
    reasons = {
        "missing": "缺少此项",
        "extra_forbidden": "不认识的字段（请检查拼写）",
        "int_type": "应为整数",
        "int_parsing": "应为整数",
        "int_from_float": "应为整数",
        "bool_type": "应为 true 或 false",
        "bool_parsing": "应为 true 或 false",
        "string_type": "应为文字（加引号）",
        "tuple_type": '应为列表，例如 ["工业"]',
        "list_type": '应为列表，例如 ["工业"]',
        "string_too_short": "不能为空",
        "string_too_long": f"不能超过{ctx.get('max_length')}字",
        "too_short": "不能为空",
        "greater_than_equal": f"不能小于{ctx.get('ge')}",
        "less_than_equal": f"不能大于{ctx.get('le')}",
    }
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    return reasons.get(kind, error["msg"])


def _where(error: ErrorDetails, data: dict[str, Any]) -> str:
    loc = list(error["loc"])
    parts: list[str] = []
    if len(loc) >= 2 and loc[0] == "deadline" and isinstance(loc[1], int):
        entries = data.get("deadline")
        raw = entries[loc[1]] if isinstance(entries, list) and loc[1] < len(entries) else None
        name = raw.get("name") if isinstance(raw, dict) else None
        parts.append(texts.calendar_entry(loc[1] + 1, name))
        loc = loc[2:]
    fields = [texts.CALENDAR_FIELDS.get(str(p), str(p)) for p in loc if isinstance(p, str)]
    if fields:
        parts.append(fields[0])
    return " ".join(parts) or "文件"


def parse_calendar(data: dict[str, Any]) -> ReportingCalendar:
    """Validate calendar data; ValueError lists every problem in Chinese, naming the entry."""
    try:
        return ReportingCalendar.model_validate(data)
    except ValidationError as exc:
        problems = [f"{_where(err, data)}：{_reason(err)}" for err in exc.errors()]
        raise ValueError("；".join(problems)) from exc
