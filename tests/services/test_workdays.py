"""Working days with 调休 and holidays, and working hours between two moments."""

import logging
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from services import workdays
from services.duties.config import DutyConfigError, load_duties, workday_overrides
from services.workdays import (
    WorkdayOverridesError,
    is_workday,
    load_overrides,
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


def test_years_beyond_chinesecalendar_take_holidays_from_the_holidays_package(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workdays, "_logged_years", set())
    is_workday.cache_clear()
    with caplog.at_level(logging.INFO, logger="services.workdays"):
        assert not is_workday(date(2027, 1, 1))  # 元旦, a Friday
        # 春节 2027: 除夕 is Friday 5 February, the holidays run into the next week.
        for day in (5, 6, 7, 8, 9, 10):
            assert not is_workday(date(2027, 2, day)), day
        assert is_workday(date(2027, 3, 1))  # an ordinary Monday
        assert not is_workday(date(2027, 3, 6))  # an ordinary Saturday
        assert not is_workday(date(2027, 10, 1))  # 国庆节
    assert working_hours_between(at("2026-12-31T10:00"), at("2027-01-04T10:00"), SHANGHAI) == 24
    notes = [r for r in caplog.records if "no data for 2027" in r.getMessage()]
    assert len(notes) == 1
    # Logged, not warned: the demo console shows warnings.
    assert all(r.levelno < logging.WARNING for r in caplog.records)


@pytest.fixture
def restore_overrides() -> Iterator[None]:
    yield
    workdays.use_overrides(workdays.WorkdayOverrides())


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.usefixtures("restore_overrides")
def test_the_override_file_makes_a_saturday_a_working_day_and_adds_days_off(
    tmp_path: Path,
) -> None:
    assert not is_workday(date(2027, 2, 20))  # a Saturday
    assert is_workday(date(2027, 2, 11))  # a Thursday
    overrides = load_overrides(
        write(
            tmp_path / "workday_overrides.toml",
            '[working_days]\n2027-02-20 = "春节调休上班"\n\n[days_off]\n2027-02-11 = "春节"\n',
        )
    )
    workdays.use_overrides(overrides)
    assert is_workday(date(2027, 2, 20))
    assert not is_workday(date(2027, 2, 11))
    assert next_workday(date(2027, 2, 19)) == date(2027, 2, 20)


@pytest.mark.parametrize(
    ("text", "where", "says"),
    [
        ('[working_days]\n# 注释\n2027-02-30 = "调休"\n', "第 3 行", "不是日期"),
        ("[working_days]\n2027-02-20 = \n", "第 2 行", "格式错误"),
        ('[working_day]\n2027-02-20 = "调休"\n', "第 1 行", "只能有"),
        ("[working_days]\n\n2027-02-20 = 1\n", "第 3 行", "引号"),
        (
            '[working_days]\n2027-02-20 = "调休"\n[days_off]\n"2027-02-20" = "放假"\n',
            "第 4 行",
            "既是",
        ),
    ],
)
def test_a_malformed_override_file_is_refused_naming_file_and_line(
    tmp_path: Path, text: str, where: str, says: str
) -> None:
    path = write(tmp_path / "workday_overrides.toml", text)
    with pytest.raises(WorkdayOverridesError) as refused:
        load_overrides(path)
    message = str(refused.value)
    assert str(path) in message
    assert where in message
    assert says in message


def test_the_duties_file_refuses_a_malformed_or_missing_override_file(tmp_path: Path) -> None:
    duties = write(
        tmp_path / "duties.toml",
        '[reporting_deadlines]\nenabled = false\n[workdays]\noverrides = "tiaoxiu.toml"\n',
    )
    with pytest.raises(DutyConfigError, match="无法读取调休文件"):
        load_duties(duties)
    write(tmp_path / "tiaoxiu.toml", '[working_days]\nnext-saturday = "调休"\n')
    with pytest.raises(DutyConfigError, match=r"第 2 行.*不是日期"):
        load_duties(duties)
    # The shipped duties file names the shipped override file, which is valid.
    assert workday_overrides(load_duties()).source is not None


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
