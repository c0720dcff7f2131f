"""Periods typed by users (/stats, /export, the CLI): a period or PeriodError, never a crash."""

from datetime import UTC

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.oversight.periods import FIRST_YEAR, LAST_YEAR, Period, PeriodError, parse_period


@pytest.mark.parametrize("text", ["0001", "9999Q4", "1999-12", "2101", "٢٠٢٦", "2026-13", "26Q1"])
def test_out_of_range_or_malformed_periods_are_refused(text: str) -> None:
    with pytest.raises(PeriodError):
        parse_period(text)


def test_months_quarters_and_years_in_range() -> None:
    assert parse_period("2026-11").months == ("2026-11",)
    assert parse_period("2026q4").months == ("2026-10", "2026-11", "2026-12")
    assert parse_period(f"{LAST_YEAR}").end_day.year == LAST_YEAR + 1


@given(st.text(max_size=12))
def test_any_text_is_a_period_or_a_refusal(text: str) -> None:
    try:
        period = parse_period(text)
    except PeriodError:
        return
    assert isinstance(period, Period)
    assert FIRST_YEAR <= period.year <= LAST_YEAR
    start, end = period.bounds(UTC)
    assert start < end
