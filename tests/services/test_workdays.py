"""Working days with 调休 and holidays, and working hours between two moments."""

import logging
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from services import workdays
from services.workdays import (
    is_workday,
    next_workday,
    nth_workday_of_month,
    previous_workday,
    working_hours_between,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def test_holidays_and_adjusted_working_weekends() -> None:
    assert is_workday(date(2025, 11, 14))  # a Friday
    assert not is_workday(date(2025, 11, 15))  # a Saturday
    assert not is_workday(date(2025, 10, 1))  # 国庆节
    # 调休: Sunday 28 September and Saturday 11 October 2025 were working days.
    assert is_workday(date(2025, 9, 28))
    assert is_workday(date(2025, 10, 11))


def test_previous_and_nth_workday() -> None:
    assert previous_workday(date(2025, 11, 17)) == date(2025, 11, 14)  # Monday -> Friday
    assert previous_workday(date(2025, 10, 9)) == date(2025, 9, 30)  # over the holiday
    # October 2025: 1–8 off, the 9th is the first working day.
    assert nth_workday_of_month(2025, 10, 1) == date(2025, 10, 9)
    assert nth_workday_of_month(2025, 10, 3) == date(2025, 10, 11)  # the 调休 Saturday
    with pytest.raises(ValueError, match="only"):
        nth_workday_of_month(2025, 10, 40)
    with pytest.raises(ValueError, match="starts at 1"):
        nth_workday_of_month(2025, 10, 0)


def test_unknown_years_fall_back_to_monday_to_friday_and_warn_once(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workdays, "_warned_years", set())
    year = 2099
    with caplog.at_level(logging.WARNING, logger="services.workdays"):
        assert is_workday(date(year, 1, 5))  # a Monday
        assert not is_workday(date(year, 1, 3))  # a Saturday
    warnings = [r for r in caplog.records if "no holiday data" in r.getMessage()]
    assert len(warnings) == 1


def test_working_hours_skip_weekends_and_holidays() -> None:
    # Friday 10:00 -> Monday 10:00: Friday's last 14 hours and Monday's first 10.
    assert working_hours_between(at("2025-11-14T10:00"), at("2025-11-17T10:00"), SHANGHAI) == 24
    assert working_hours_between(at("2025-11-14T10:00"), at("2025-11-16T23:00"), SHANGHAI) == 14
    # Over 国庆: 30 September 10:00 -> 9 October 10:00 is 24 working hours.
    assert working_hours_between(at("2025-09-30T10:00"), at("2025-10-09T10:00"), SHANGHAI) == 24
    # Inside one working day, and backwards.
    assert working_hours_between(at("2025-11-14T09:00"), at("2025-11-14T09:30"), SHANGHAI) == 0.5
    assert working_hours_between(at("2025-11-17T10:00"), at("2025-11-14T10:00"), SHANGHAI) == 0
    # UTC inputs count by the Shanghai calendar: Friday 16:00 UTC is Saturday 00:00 there.
    start = datetime(2025, 11, 14, 15, 0, tzinfo=UTC)
    end = datetime(2025, 11, 15, 15, 0, tzinfo=UTC)
    assert working_hours_between(start, end, SHANGHAI) == 1


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        working_hours_between(datetime(2025, 1, 1), at("2025-01-02T00:00"), SHANGHAI)  # noqa: DTZ001


def test_next_workday_skips_weekends_and_holidays() -> None:
    assert next_workday(date(2025, 11, 13)) == date(2025, 11, 14)  # Thursday -> Friday
    assert next_workday(date(2025, 11, 14)) == date(2025, 11, 17)  # Friday -> Monday
    # 国庆节 and 中秋节 2025: 1-8 October off; Saturday 11 October was a 调休 working day.
    assert next_workday(date(2025, 9, 30)) == date(2025, 10, 9)
    assert next_workday(date(2025, 10, 10)) == date(2025, 10, 11)
