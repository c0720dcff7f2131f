"""What organisers type: the activity's date and time window (services/activities/when.py),
and one-line texts."""

from models.tables import Activity, Attendance
from services.activities.when import WindowError, WindowProblem, parse_window

__all__ = ["WindowError", "WindowProblem", "parse_window"]


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


def clean_text(text: str, limit: int) -> str | None:
    """One line of user text, trimmed; None when empty or longer than `limit`."""
    value = " ".join(text.split())
    return value if value and len(value) <= limit else None


def too_long_by(text: str, limit: int) -> int:
    """By how many characters the trimmed line exceeds `limit` (0 when it fits)."""
    return max(0, len(" ".join(text.split())) - limit)
