"""Chinese formatting shared by every layer: HTML escaping, dates with 周X, clock times, hours."""

import functools
from datetime import date, datetime, tzinfo
from html import escape

WEEKDAYS_CN = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


def esc(value: object) -> str:
    """Escape user text for Telegram HTML."""
    text = str(value)
    # Most names and texts have nothing to escape: skip html.escape's three replaces (a sweep
    # of the duties escapes a hundred thousand names).
    if "&" in text or "<" in text or ">" in text:
        return escape(text, quote=False)
    return text


def cn_date(day: date) -> str:
    """12月3日（周四）."""
    return f"{day.month}月{day.day}日（{WEEKDAYS_CN[day.weekday()]}）"


def cn_day(moment: datetime, tz: tzinfo) -> str:
    """The local date of `moment` in `tz`, as `cn_date` writes it."""
    return cn_date(moment.astimezone(tz).date())


def month_day(moment: datetime, tz: tzinfo) -> str:
    """12月3日, without the weekday (in lists where space is short)."""
    local = moment.astimezone(tz)
    return f"{local.month}月{local.day}日"


def clock(moment: datetime, tz: tzinfo) -> str:
    """14:05 in `tz`."""
    return moment.astimezone(tz).strftime("%H:%M")


@functools.lru_cache(maxsize=1024)
def fmt_hours(hours: float) -> str:
    """6 or 1.5: hours come in steps of 0.5 (cached: a sweep formats the same few values for a
    hundred thousand members)."""
    return f"{hours:g}"
