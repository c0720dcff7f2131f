"""Periods typed by users (/stats, /export, the CLI): a period or PeriodError, never a crash."""

from datetime import UTC

import pytest
from hypothesis import example, given, settings
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


_FULL_WIDTH = str.maketrans("0123456789-Qq", "０１２３４５６７８９－Ｑｑ")
_PERIOD_TEXTS = st.one_of(
    st.builds("{}-{:02d}".format, st.integers(FIRST_YEAR, LAST_YEAR), st.integers(1, 12)),
    st.builds(
        "{}{}{}".format,
        st.integers(FIRST_YEAR, LAST_YEAR),
        st.sampled_from("Qq"),
        st.integers(1, 4),
    ),
    st.integers(FIRST_YEAR, LAST_YEAR).map(str),
)


@settings(max_examples=200)
@given(text=_PERIOD_TEXTS, padding=st.sampled_from(["", " ", "\u3000", "\n"]))
@example(text="2026-11", padding="\u3000")
def test_a_period_typed_in_full_width_is_the_same_period(text: str, padding: str) -> None:
    typed = padding + text.translate(_FULL_WIDTH) + padding
    assert parse_period(typed) == parse_period(text)
    assert parse_period(text).label == text.upper()


@settings(max_examples=200)
@given(st.text(st.sampled_from(list("0123456789-Qq ０２٢\n")) | st.characters(), max_size=9))
@example("٢٠٢٦-11")
@example("２０２６－１１")
def test_text_near_a_period_is_a_period_in_range_or_a_refusal(text: str) -> None:
    try:
        period = parse_period(text)
    except PeriodError:
        return
    assert FIRST_YEAR <= period.year <= LAST_YEAR
    assert period.label.isascii()
    assert parse_period(period.label) == period
