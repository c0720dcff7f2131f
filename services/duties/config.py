"""Duty definitions: a TOML file the city statistics bureau can edit (default: duties.toml next
to this module; `GRIDBOT_DUTIES_FILE` points elsewhere), and the 联网直报 calendar it names,
both read and validated at start-up with clear errors."""

import tomllib
from datetime import time
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from services.duties.calendar import ReportingCalendar, parse_calendar
from services.workdays import WorkdayOverrides, WorkdayOverridesError, load_overrides

DEFAULT_FILE = Path(__file__).with_name("duties.toml")


class DutyConfigError(Exception):
    """The duties file is missing or wrong; the message says where, in Chinese."""


class CalendarError(DutyConfigError):
    """The reporting calendar is missing or wrong; the message names the entry, in Chinese."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    enabled: bool = True


class EngineConfig(_Section):
    # Reminders due on a day go out at this local time (moved off weekends and holidays).
    send_time: time = time(9, 0)
    # No bot-initiated message between these local times; queued messages wait for morning.
    quiet_start: time = time(21, 0)
    quiet_end: time = time(8, 0)
    # How often the clock asks the engine for due reminders.
    tick_minutes: int = Field(default=5, ge=1, le=60)


class MonthlyReportConfig(_Section):
    # Level-3 网格长s submit by this day of the month (moved to the previous working day).
    deadline_day: int = Field(default=25, ge=1, le=28)
    # Reminders to those who have not submitted, in days before the deadline (0 = the day).
    remind_days_before: tuple[int, ...] = (5, 1, 0)
    # The town's 网格长 must confirm [已听取汇报] by this working day of the next month, or the
    # city 管理员 hears of it.
    hearing_by_workday: int = Field(default=5, ge=1, le=15)
    # A hearing of a month counts (and can be confirmed) from that month's digest until this
    # many days after it: the policy wants the reports heard monthly, not a year later.
    hearing_window_days: int = Field(default=31, ge=7, le=92)

    @field_validator("remind_days_before")
    @classmethod
    def _days(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if any(d < 0 or d > 27 for d in value) or len(set(value)) != len(value):
            raise ValueError("提前天数须为 0–27 之间且不重复")
        return tuple(sorted(value, reverse=True))


class QuarterlyActivityConfig(_Section):
    # Remind a grid without an activity on the first working day of the quarter's second month;
    # escalate to the town this many days before the quarter ends; summary at quarter end.
    escalate_days_before_end: int = Field(default=14, ge=1, le=45)


class ReportingDeadlinesConfig(_Section):
    # The 联网直报 calendar (relative to the duties file). The shipped one is an EXAMPLE.
    calendar: str = "reporting_calendar.example.toml"
    remind_workdays_before: int = Field(default=3, ge=0, le=20)


class EducationConfig(_Section):
    yearly_target_hours: float = Field(default=24, gt=0, le=500)
    # From this month on (Q4 by default), members below target and their instructors hear of it.
    remind_from_month: int = Field(default=10, ge=1, le=12)
    # Reminded on this day of each month from `remind_from_month` (moved to a working day).
    remind_day: int = Field(default=1, ge=1, le=28)
    # The most hours one /study entry or imported row, and one person's day, may hold.
    max_hours_per_entry: float = Field(default=8, ge=0.5, le=24, multiple_of=0.5)
    max_hours_per_day: float = Field(default=8, ge=0.5, le=24, multiple_of=0.5)

    @model_validator(mode="after")
    def _entry_within_day(self) -> "EducationConfig":
        if self.max_hours_per_entry > self.max_hours_per_day:
            raise ValueError("每次学时上限 max_hours_per_entry 不能大于每天上限 max_hours_per_day")
        return self


class ChaseConfig(_Section):
    # 催报 items still open this many working hours before their deadline go to the grid's
    # 网格长 and 指导员 (one list per grid and step).
    before_working_hours: tuple[float, ...] = (8,)
    # ... and this many working hours after it to the town's 分管负责人 (0 = at the deadline).
    after_working_hours: tuple[float, ...] = (0,)

    @field_validator("before_working_hours", "after_working_hours")
    @classmethod
    def _hours(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        if any(h < 0 or h > 240 for h in value) or len(set(value)) != len(value):
            raise ValueError("工作小时数须为 0–240 之间且不重复")
        return tuple(sorted(value))


class WorkdaysConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    # 调休 working days and extra days off not yet in chinesecalendar (relative to the duties
    # file). Named here, it must exist; by default a missing file means no overrides.
    overrides: str = "workday_overrides.toml"


class LawTipConfig(_Section):
    # ISO weekday (1 = Monday) of the weekly 法治小贴士.
    weekday: int = Field(default=1, ge=1, le=7)
    # Local time it goes out; unset: the engine's send_time.
    send_time: time | None = None


class DutiesConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    engine: EngineConfig = EngineConfig()
    monthly_report: MonthlyReportConfig = MonthlyReportConfig()
    quarterly_activity: QuarterlyActivityConfig = QuarterlyActivityConfig()
    reporting_deadlines: ReportingDeadlinesConfig = ReportingDeadlinesConfig()
    education: EducationConfig = EducationConfig()
    law_tip: LawTipConfig = LawTipConfig()
    chase: ChaseConfig = ChaseConfig()
    workdays: WorkdaysConfig = WorkdaysConfig()
    # Where the file was read from: relative paths inside it are resolved against its folder.
    base_dir: Path = Path(__file__).parent

    @model_validator(mode="after")
    def _calendar_exists(self) -> "DutiesConfig":
        if self.reporting_deadlines.enabled and not self.calendar_path.is_file():
            raise ValueError(f"找不到报送日历文件 {self.calendar_path}")
        return self

    @property
    def calendar_path(self) -> Path:
        return self.base_dir / self.reporting_deadlines.calendar

    @property
    def overrides_path(self) -> Path | None:
        """The override file, or None when the default one is absent."""
        path = self.base_dir / self.workdays.overrides
        if "overrides" in self.workdays.model_fields_set or path.is_file():
            return path
        return None


def load_duties(path: Path | None = None) -> DutiesConfig:
    """Read and validate the duties file; raises DutyConfigError with every problem listed."""
    path = path or DEFAULT_FILE
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DutyConfigError(f"无法读取职责配置文件 {path}：{exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise DutyConfigError(f"职责配置文件 {path} 格式错误：{exc}") from exc
    try:
        config = DutiesConfig.model_validate({**data, "base_dir": path.parent})
    except ValidationError as exc:
        problems = "；".join(
            f"[{'.'.join(str(p) for p in err['loc'])}] {err['msg']}" for err in exc.errors()
        )
        raise DutyConfigError(f"职责配置文件 {path} 有误：{problems}") from exc
    if config.reporting_deadlines.enabled:
        # CalendarError is a DutyConfigError naming the wrong entry: a bad calendar also stops
        # the start.
        load_calendar(config.calendar_path)
    workday_overrides(config)
    return config


def workday_overrides(config: DutiesConfig) -> WorkdayOverrides:
    """The validated override file named by the duties file (empty when there is none)."""
    path = config.overrides_path
    if path is None:
        return WorkdayOverrides()
    try:
        return load_overrides(path)
    except WorkdayOverridesError as exc:
        raise DutyConfigError(str(exc)) from exc


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
