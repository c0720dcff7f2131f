"""Working days and working hours in mainland China, 调休 included.

`chinese_calendar` knows the State Council's holiday schedule for the years it ships; for a
date outside them it raises NotImplementedError and we fall back to Monday–Friday (with one
warning per year, so that an outdated package is noticed in the logs).

Working hours are *elapsed* hours that fall on working days in the given time zone: a
question filed on Friday 18:00 has waited 6 working hours by Monday 00:00 (Friday's last six
hours), and 30 by Monday 24:00. Office hours are deliberately not modelled: members ask in the
evening too, and the SLA is about working days passing, not about the instructor's desk time.
"""

import functools
import logging
from datetime import UTC, date, datetime, time, timedelta, tzinfo

import chinese_calendar  # type: ignore[import-untyped]

log = logging.getLogger(__name__)

_warned_years: set[int] = set()


@functools.lru_cache(maxsize=8192)
def is_workday(d: date) -> bool:
    """True on a working day: Monday–Friday except public holidays, plus 调休 weekend days.
    Cached: the calendar is fixed for the life of the process, and a sweep of the duties asks
    about the same few days thousands of times."""
    try:
        return bool(chinese_calendar.is_workday(d))
    except NotImplementedError:
        if d.year not in _warned_years:
            _warned_years.add(d.year)
            log.warning(
                "chinesecalendar has no holiday data for %s: counting Monday–Friday as working "
                "days (upgrade the chinesecalendar package)",
                d.year,
            )
        return d.weekday() < 5


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
