"""What organisers type: the activity's date and time window, and one-line texts."""

import re
import unicodedata
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum

from models.tables import Activity, Attendance


def _column_length(table: type[Activity] | type[Attendance], column: str) -> int:
    """How many characters a text column holds (its VARCHAR length)."""
    length = table.__table__.c[column].type.length  # type: ignore[union-attr]
    assert isinstance(length, int)
    return length


# What the database holds; every message showing them is within Telegram's limits at these
# lengths (tests/services/activities/test_limits.py renders each with the longest values).
TITLE_MAX = _column_length(Activity, "title")
PLACE_MAX = _column_length(Activity, "place")
REASON_MAX = _column_length(Attendance, "leave_reason")


class WindowProblem(StrEnum):
    FORMAT = "format"
    ORDER = "order"
    PAST = "past"


class WindowError(ValueError):
    def __init__(self, problem: WindowProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


_DAY_WORDS = {"今天": 0, "今日": 0, "明天": 1, "明日": 1, "后天": 2}
_TIME = r"(上午|中午|下午|晚上)?\s*(\d{1,2})(?:\s*[:点时]\s*(\d{1,2}|半)?)?\s*分?"
_WINDOW_RE = re.compile(
    r"^(?:(今天|今日|明天|明日|后天)|(?:(\d{4})\s*[-/.年]\s*)?(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?)"
    rf"\s*(?:周.|星期.)?\s*{_TIME}\s*(?:-|~|—|–|至|到)+\s*{_TIME}$"
)


def _clock(period: str | None, hour: str, minute: str | None) -> time:
    h = int(hour)
    m = 30 if minute == "半" else int(minute or 0)
    if period in ("下午", "晚上") and h < 12:
        h += 12
    return time(h, m)


def parse_window(text: str, *, now: datetime, tz: tzinfo) -> tuple[datetime, datetime]:
    """A date and time window such as "12月3日 14:00-16:00", "2026-12-03 14:00-16:00",
    "明天 9:30-11" or "下午2点-4点半", read in `tz`; returns UTC datetimes.

    A date without a year is the next such date from today. Raises WindowError.
    """
    match = _WINDOW_RE.match(unicodedata.normalize("NFKC", text).strip())
    if match is None:
        raise WindowError(WindowProblem.FORMAT)
    word, year, month, day, p1, h1, m1, p2, h2, m2 = match.groups()
    today = now.astimezone(tz).date()
    try:
        if word is not None:
            on = today + timedelta(days=_DAY_WORDS[word])
        elif year is not None:
            on = date(int(year), int(month), int(day))
        else:
            on = date(today.year, int(month), int(day))
            if on < today:
                on = date(today.year + 1, int(month), int(day))
        start_clock = _clock(p1, h1, m1)
        # "下午2点-4点": the end inherits the start's half of the day.
        end_clock = _clock(p2 or p1, h2, m2)
        starts = datetime.combine(on, start_clock, tzinfo=tz).astimezone(UTC)
        ends = datetime.combine(on, end_clock, tzinfo=tz).astimezone(UTC)
    except (ValueError, OverflowError):
        # No such date or time; OverflowError: a time at the edge of year 1 or 9999 in UTC.
        raise WindowError(WindowProblem.FORMAT) from None
    if ends <= starts:
        raise WindowError(WindowProblem.ORDER)
    if ends <= now:
        raise WindowError(WindowProblem.PAST)
    return starts, ends


def clean_text(text: str, limit: int) -> str | None:
    """One line of user text, trimmed; None when empty or longer than `limit`."""
    value = " ".join(text.split())
    return value if value and len(value) <= limit else None


def too_long_by(text: str, limit: int) -> int:
    """By how many characters the trimmed line exceeds `limit` (0 when it fits)."""
    return max(0, len(" ".join(text.split())) - limit)
