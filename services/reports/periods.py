"""The periods the grid duties count in: months "YYYY-MM" and quarters "YYYYQn", in the bot's
time zone, and the moments their steps fall on."""

import re
from datetime import UTC, date, datetime, time, tzinfo

# ASCII digits only: `\d` also takes other scripts' digits ("٢٠٢٦-12" read as 2026-12, yet
# stored and compared as typed). Year 0 has no calendar: its windows would raise ValueError.
PERIOD_RE = re.compile(r"^(?!0000)([0-9]{4})-(0[1-9]|1[0-2])$")
QUARTER_RE = re.compile(r"^(?!0000)([0-9]{4})Q([1-4])$")


class PeriodError(ValueError):
    """A period that is not "YYYY-MM"."""


class QuarterError(ValueError):
    """A quarter that is not "YYYYQn"."""


def parse_period(period: str) -> tuple[int, int]:
    match = PERIOD_RE.fullmatch(period)
    if match is None:
        raise PeriodError(f"期间应为 YYYY-MM，例如 2026-12：{period!r}")
    return int(match[1]), int(match[2])


def period_of(moment: datetime, tz: tzinfo) -> str:
    local = moment.astimezone(tz)
    return f"{local.year:04d}-{local.month:02d}"


def shift_period(period: str, months: int) -> str:
    year, month = parse_period(period)
    index = year * 12 + month - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_window(period: str, tz: tzinfo) -> tuple[datetime, datetime]:
    """The month's first moment and the next month's, in UTC."""
    year, month = parse_period(period)
    next_year, next_month = parse_period(shift_period(period, 1))
    start = datetime(year, month, 1, tzinfo=tz).astimezone(UTC)
    end = datetime(next_year, next_month, 1, tzinfo=tz).astimezone(UTC)
    return start, end


def parse_quarter(quarter: str) -> tuple[int, int]:
    match = QUARTER_RE.fullmatch(quarter)
    if match is None:
        raise QuarterError(f"季度应为 YYYYQn，例如 2026Q4：{quarter!r}")
    return int(match[1]), int(match[2])


def quarter_of(moment: datetime, tz: tzinfo) -> str:
    local = moment.astimezone(tz)
    return f"{local.year:04d}Q{(local.month - 1) // 3 + 1}"


def shift_quarter(quarter: str, quarters: int) -> str:
    year, number = parse_quarter(quarter)
    index = year * 4 + number - 1 + quarters
    return f"{index // 4:04d}Q{index % 4 + 1}"


def quarter_window(quarter: str, tz: tzinfo) -> tuple[datetime, datetime]:
    """The quarter's first moment and the next quarter's, in UTC."""
    year, number = parse_quarter(quarter)
    next_year, next_number = parse_quarter(shift_quarter(quarter, 1))
    start = datetime(year, 3 * number - 2, 1, tzinfo=tz).astimezone(UTC)
    end = datetime(next_year, 3 * next_number - 2, 1, tzinfo=tz).astimezone(UTC)
    return start, end


def at_local(d: date, clock: time, tz: tzinfo) -> datetime:
    """`clock` on day `d` in `tz`, as UTC."""
    return datetime.combine(d, clock, tzinfo=tz).astimezone(UTC)
