"""Working days and working hours in mainland China, 调休 included.

Three sources, the first that knows a date wins:

1. the override file (`workday_overrides.toml`, edited by the bureau when the State Council
   publishes the next year's 放假调休安排), installed at start-up with `use_overrides`;
2. `chinese_calendar`, which ships the published schedules of past and current years;
3. `holidays` (China), which computes the statutory holidays (元旦, 春节, …) of any later year
   but cannot know the 调休 working weekends until they are published — hence the file.

A year that only `holidays` covers is logged once, at INFO: the demo console shows warnings.

Working hours are *elapsed* hours that fall on working days in the given time zone: a
question filed on Friday 18:00 has waited 6 working hours by Monday 00:00 (Friday's last six
hours), and 30 by Monday 24:00. Office hours are deliberately not modelled: members ask in the
evening too, and the SLA is about working days passing, not about the instructor's desk time.
"""

import functools
import logging
import re
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Any

import chinese_calendar  # type: ignore[import-untyped]
from holidays import country_holidays

log = logging.getLogger(__name__)

_logged_years: set[int] = set()
_china_holidays = country_holidays("CN")
_SECTIONS = {"working_days": True, "days_off": False}


class WorkdayOverridesError(Exception):
    """The override file is wrong; the message names the file and the line, in Chinese."""


@dataclass(frozen=True)
class WorkdayOverrides:
    """Dates the State Council made working days (调休) or days off, with the file's reasons."""

    days: dict[date, bool] = field(default_factory=dict)
    source: Path | None = None


_overrides = WorkdayOverrides()


def use_overrides(overrides: WorkdayOverrides) -> None:
    """Install the override file's dates for the whole process (called at start-up)."""
    global _overrides
    _overrides = overrides
    is_workday.cache_clear()
    if overrides.days:
        working = sum(overrides.days.values())
        log.info(
            "workday overrides from %s: %d working days, %d days off",
            overrides.source,
            working,
            len(overrides.days) - working,
        )


def _line_of(lines: list[str], pattern: str, after: int = 0) -> int:
    """The 1-based number of the first line from `after` on matching `pattern` (0: none)."""
    regex = re.compile(pattern)
    for number, line in enumerate(lines[after:], start=after + 1):
        if regex.search(line):
            return number
    return 0


def _where(number: int) -> str:
    return f"第 {number} 行" if number else "某一行"


def load_overrides(path: Path) -> WorkdayOverrides:
    """Read and validate the override file; WorkdayOverridesError names the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise WorkdayOverridesError(f"无法读取调休文件 {path}：{exc}") from exc
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"line (\d+)", str(exc))
        where = f"第 {line.group(1)} 行" if line else "某一行"
        raise WorkdayOverridesError(f"调休文件 {path} {where}格式错误：{exc}") from exc
    lines = text.splitlines()
    days: dict[date, bool] = {}
    for section, value in data.items():
        heading = _line_of(
            lines, rf"^\s*\[\s*{re.escape(section)}\s*\]|^\s*{re.escape(section)}\s*="
        )
        if section not in _SECTIONS or not isinstance(value, dict):
            raise WorkdayOverridesError(
                f"调休文件 {path} {_where(heading)}：只能有 [working_days]（调休上班日）"
                f'和 [days_off]（放假日）两节，每行写 2027-02-20 = "说明"，不认识 {section!r}'
            )
        for key, reason in value.items():
            entry = rf"^\s*[\"']?{re.escape(key)}[\"']?\s*="
            where = _where(_line_of(lines, entry, after=heading))
            try:
                day = date.fromisoformat(key)
            except ValueError:
                day = None
            if day is None or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", key):
                raise WorkdayOverridesError(
                    f"调休文件 {path} {where}：{key!r} 不是日期，应写成 2027-02-20 这样的格式"
                )
            if not isinstance(reason, str):
                raise WorkdayOverridesError(
                    f'调休文件 {path} {where}：{key} 的说明须用引号括起，如 "春节调休上班"'
                )
            if day in days:
                raise WorkdayOverridesError(
                    f"调休文件 {path} {where}：{key} 不能既是调休上班日又是放假日"
                )
            days[day] = _SECTIONS[section]
    return WorkdayOverrides(days=days, source=path)


@functools.lru_cache(maxsize=8192)
def is_workday(d: date) -> bool:
    """True on a working day: Monday–Friday except public holidays, plus 调休 weekend days.
    Cached: the calendar is fixed for the life of the process, and a sweep of the duties asks
    about the same few days thousands of times."""
    override = _overrides.days.get(d)
    if override is not None:
        return override
    try:
        return bool(chinese_calendar.is_workday(d))
    except NotImplementedError:
        pass
    if d.year not in _logged_years:
        _logged_years.add(d.year)
        log.info(
            "chinesecalendar has no data for %s: holidays from the holidays package, 调休 "
            "working days only from the override file",
            d.year,
        )
    # Asking for the date first makes `holidays` compute its year, weekend_workdays included.
    holiday = d in _china_holidays
    if d in _china_holidays.weekend_workdays:
        return True
    return d.weekday() < 5 and not holiday


def previous_workday(d: date) -> date:
    """The last working day strictly before `d`."""
    day = d - timedelta(days=1)
    while not is_workday(day):
        day -= timedelta(days=1)
    return day


def next_workday(d: date) -> date:
    """The first working day strictly after `d`."""
    day = d + timedelta(days=1)
    while not is_workday(day):
        day += timedelta(days=1)
    return day


def workday_on_or_before(d: date) -> date:
    """`d` itself if it is a working day, else the last working day before it."""
    return d if is_workday(d) else previous_workday(d)


def workdays_before(d: date, n: int) -> date:
    """The working day `n` working days before `d` (`d` itself for n = 0)."""
    if n < 0:
        raise ValueError("n must not be negative")
    for _ in range(n):
        d = previous_workday(d)
    return d


def nth_workday_of_month(year: int, month: int, n: int) -> date:
    """The `n`-th (1-based) working day of the month; ValueError if the month has fewer."""
    if n < 1:
        raise ValueError("n starts at 1")
    day = date(year, month, 1)
    count = 0
    while day.month == month:
        if is_workday(day):
            count += 1
            if count == n:
                return day
        day += timedelta(days=1)
    raise ValueError(f"{year}-{month:02d} has only {count} working days")


def working_hours_between(start: datetime, end: datetime, tz: tzinfo) -> float:
    """Hours of the interval [start, end) that fall on working days in `tz` (0 if end <= start).

    Both datetimes must be timezone-aware.
    """
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("working_hours_between needs timezone-aware datetimes")
    if end <= start:
        return 0.0
    total = timedelta()
    day = start.astimezone(tz).date()
    last = end.astimezone(tz).date()
    while day <= last:
        if is_workday(day):
            # Subtract in UTC: aware datetimes sharing a tzinfo subtract as wall-clock times.
            day_start = datetime.combine(day, time(), tzinfo=tz).astimezone(UTC)
            next_start = datetime.combine(day + timedelta(days=1), time(), tzinfo=tz).astimezone(
                UTC
            )
            overlap = min(end, next_start) - max(start, day_start)
            if overlap > timedelta():
                total += overlap
        day += timedelta(days=1)
    return total.total_seconds() / 3600


def add_working_hours(start: datetime, hours: float, tz: tzinfo) -> datetime:
    """The moment (UTC) at which `hours` working hours have passed since `start`: the inverse
    of `working_hours_between`."""
    if start.tzinfo is None:
        raise ValueError("add_working_hours needs a timezone-aware datetime")
    remaining = timedelta(hours=hours)
    moment = start.astimezone(UTC)
    while True:
        day = moment.astimezone(tz).date()
        next_start = datetime.combine(day + timedelta(days=1), time(), tzinfo=tz).astimezone(UTC)
        if is_workday(day):
            if remaining <= next_start - moment:
                return moment + remaining
            remaining -= next_start - moment
        moment = next_start
