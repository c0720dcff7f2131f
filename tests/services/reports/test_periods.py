"""Months and quarters of the grid duties: any text parses to a period or a clean refusal, and
shifting, windows and the period of a moment agree with the calendar."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from services.reports.periods import (
    PeriodError,
    QuarterError,
    month_window,
    parse_period,
    parse_quarter,
    period_of,
    quarter_of,
    quarter_window,
    shift_period,
    shift_quarter,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


# Text close to a period: digits of several scripts (ASCII, full-width, Arabic-Indic), the
# separators, and any character now and then.
_NEAR_PERIODS = st.text(
    st.sampled_from(list("0123456789012-Q ０１２٠١٢\n")) | st.characters(codec="utf-8"),
    min_size=6,
    max_size=8,
)


@settings(max_examples=200)
@given(st.text(max_size=12) | _NEAR_PERIODS)
@example("٢٠٢٦-12")  # `\d` read it as 2026-12
@example("0000-01")  # accepted, then month_window raised ValueError (year 0)
@example("2026-12\n")
def test_any_text_is_a_period_or_refused(text: str) -> None:
    try:
        year, month = parse_period(text)
    except PeriodError as refusal:
        reason = str(refusal)
    else:
        reason = ""
        assert text == f"{year:04d}-{month:02d}"
        assert 1 <= month <= 12
        if (year, month) < (9999, 12):  # the month after 9999-12 is beyond the calendar
            start, end = month_window(text, UTC)
            assert start < end
    assert not reason or "期间应为" in reason


@settings(max_examples=200)
@given(st.text(max_size=12) | _NEAR_PERIODS)
@example("٢٠٢٦Q4")
@example("0000Q1")
def test_any_text_is_a_quarter_or_refused(text: str) -> None:
    try:
        year, number = parse_quarter(text)
    except QuarterError as refusal:
        reason = str(refusal)
    else:
        reason = ""
        assert text == f"{year:04d}Q{number}"
        assert 1 <= number <= 4
        if (year, number) < (9999, 4):
            start, end = quarter_window(text, UTC)
            assert start < end
    assert not reason or "季度应为" in reason


@given(st.integers(1000, 9000), st.integers(1, 12), st.integers(-120, 120))
def test_shifting_a_period_back_and_forth(year: int, month: int, months: int) -> None:
    period = f"{year:04d}-{month:02d}"
    assert shift_period(shift_period(period, months), -months) == period
    assert shift_period(period, 12) == f"{year + 1:04d}-{month:02d}"


@given(st.integers(1000, 9000), st.integers(1, 4), st.integers(-40, 40))
def test_shifting_a_quarter_back_and_forth(year: int, number: int, quarters: int) -> None:
    quarter = f"{year:04d}Q{number}"
    assert shift_quarter(shift_quarter(quarter, quarters), -quarters) == quarter
    assert shift_quarter(quarter, 4) == f"{year + 1:04d}Q{number}"


def test_windows_and_the_period_of_a_moment_are_local() -> None:
    start, end = month_window("2026-12", SHANGHAI)
    assert (start, end) == (
        datetime(2026, 11, 30, 16, tzinfo=UTC),
        datetime(2026, 12, 31, 16, tzinfo=UTC),
    )
    assert quarter_window("2026Q4", SHANGHAI) == (
        datetime(2026, 9, 30, 16, tzinfo=UTC),
        datetime(2026, 12, 31, 16, tzinfo=UTC),
    )
    # 31 December 17:00 UTC is already 1 January in Shanghai.
    new_year = datetime(2026, 12, 31, 17, tzinfo=UTC)
    assert (period_of(new_year, SHANGHAI), quarter_of(new_year, SHANGHAI)) == ("2027-01", "2027Q1")
    assert (period_of(new_year, UTC), quarter_of(new_year, UTC)) == ("2026-12", "2026Q4")


@pytest.mark.parametrize("bad", ["2026-13", "2026-1", "26-12", "2026-12 "])
def test_malformed_periods_are_refused_in_chinese(bad: str) -> None:
    with pytest.raises(PeriodError, match="期间应为 YYYY-MM"):
        parse_period(bad)
