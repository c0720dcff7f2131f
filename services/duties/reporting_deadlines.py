"""联网直报 deadlines: a calendar file by industry and frequency, and the duty that reminds each
enterprise statistician a few working days before the deadlines of their enterprises.

The shipped calendar is an EXAMPLE (its `example = true` flag makes every reminder say so);
the city bureau replaces it with its real calendar. A deadline on a weekend or holiday moves to
the previous working day (调休 included); the reminder goes out `remind_workdays_before`
working days before that. Everything due for one person on one day is one message.
"""

import tomllib
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails
from sqlmodel.ext.asyncio.session import AsyncSession

from core.formatting import cn_date
from models.enums import Industry
from models.reporting import kept_enterprises
from services.duties import texts
from services.duties.base import Reminder
from services.duties.config import DutiesConfig, DutyConfigError
from services.workdays import workday_on_or_before, workdays_before

QUARTER_MONTHS = (1, 4, 7, 10)
INDUSTRY_CHOICES = "、".join(industry.value for industry in Industry)
# Deadlines this far behind `today` are still reported (their reminders get claimed as skipped
# on a catch-up); remind_workdays_before is at most 20 working days, which 62 days cover.
LOOK_BACK = timedelta(days=7)
LOOK_AHEAD = timedelta(days=62)


class CalendarError(DutyConfigError):
    """The reporting calendar is missing or wrong; the message names the entry, in Chinese."""


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


def load_calendar(path: Path) -> ReportingCalendar:
    """Read and validate the calendar file; raises CalendarError with every problem listed."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CalendarError(f"无法读取报送日历 {path}：{exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise CalendarError(f"报送日历 {path} 格式错误：{exc}") from exc
    try:
        return parse_calendar(data)
    except ValueError as exc:
        raise CalendarError(f"报送日历 {path} 有误：{exc}") from exc


class ReportingDeadlineDuty:
    """Remind each statistician `remind_workdays_before` working days before the deadlines that
    apply to their enterprises' industries: one message per person and deadline day."""

    name = "reporting_deadline"

    def __init__(
        self,
        duties: DutiesConfig,
        *,
        tz: tzinfo,
        calendar: ReportingCalendar | None = None,
    ) -> None:
        self._workdays_before = duties.reporting_deadlines.remind_workdays_before
        self._send_time: time = duties.engine.send_time
        self._tz = tz
        # Read at construction, so a wrong calendar stops the bot at start-up.
        self.calendar = calendar if calendar is not None else load_calendar(duties.calendar_path)

    def due_day(self, deadline: date) -> date:
        """The day the reminder for a (moved) deadline goes out."""
        return workdays_before(deadline, self._workdays_before)

    def occurrences(self, today: date) -> dict[date, list[tuple[DeadlineEntry, date]]]:
        """Effective deadlines near `today`, each with its reports and their nominal dates."""
        found: dict[date, list[tuple[DeadlineEntry, date]]] = defaultdict(list)
        for year in (today.year - 1, today.year, today.year + 1):
            for entry in self.calendar.deadline:
                for nominal in entry.deadlines_in(year):
                    effective = workday_on_or_before(nominal)
                    if today - LOOK_BACK <= effective <= today + LOOK_AHEAD:
                        found[effective].append((entry, nominal))
        return found

    async def reminders(self, *, session: AsyncSession, at: datetime) -> Sequence[Reminder]:
        today = at.astimezone(self._tz).date()
        due: dict[date, list[tuple[DeadlineEntry, date]]] = {}
        for effective, reports in self.occurrences(today).items():
            due_at = datetime.combine(self.due_day(effective), self._send_time, tzinfo=self._tz)
            if due_at <= at:
                due[effective] = reports
        if not due:
            return []
        industries = {
            i for reports in due.values() for entry, _ in reports for i in entry.industries
        }
        kept: dict[int, dict[Industry, list[str]]] = defaultdict(lambda: defaultdict(list))
        for row in await kept_enterprises(session=session, industries=industries):
            kept[row.statistician_id][row.industry].append(row.enterprise)
        result: list[Reminder] = []
        for effective, reports in sorted(due.items()):
            due_day = self.due_day(effective)
            due_at = datetime.combine(due_day, self._send_time, tzinfo=self._tz)
            # The report can be filed until the end of its deadline day.
            deadline = datetime.combine(effective + timedelta(days=1), time(), tzinfo=self._tz)
            for person_id, by_industry in kept.items():
                lines = []
                for entry, nominal in reports:
                    names = [n for i in entry.industries for n in by_industry.get(i, [])]
                    if names:
                        moved = cn_date(nominal) if nominal != effective else None
                        lines.append(
                            texts.deadline_line(
                                report=entry.name, enterprises=names, moved_from=moved
                            )
                        )
                if not lines:
                    continue
                body = [
                    texts.DEADLINE_HEADING,
                    texts.deadline_intro(deadline=cn_date(effective), today=due_day == effective),
                    *lines,
                ]
                if self.calendar.example:
                    body += ["", texts.DEADLINE_EXAMPLE_NOTE]
                result.append(
                    Reminder(
                        duty=self.name,
                        target=f"person:{person_id}",
                        period=effective.isoformat(),
                        step="pre",
                        person_id=person_id,
                        text="\n".join(body),
                        due_at=due_at,
                        deadline=deadline,
                    )
                )
        return result
