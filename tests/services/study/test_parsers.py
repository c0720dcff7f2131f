"""What /study accepts from the user, proved for any text: a value within the rules, or a clean
refusal, never an exception."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from services.study import (
    MAX_HOURS,
    MIN_HOURS,
    TOPIC_MAX,
    StudyDateError,
    clean_topic,
    parse_hours,
    parse_study_date,
    texts,
)

TODAYS = st.dates(min_value=date(2001, 1, 1), max_value=date(2099, 12, 31))
# Text that looks like a date or hours as often as not.
DATEISH = st.one_of(
    st.text(max_size=30),
    st.text(alphabet="0123456789-/.年月日号 今天昨前", max_size=14),
    st.sampled_from(["今天", "今日", "昨天", "昨日", "前天", "后天", "12月3日", "2026-02-30"]),
)
HOURSISH = st.one_of(
    st.text(max_size=20),
    st.text(alphabet="0123456789. 学时小个hH", max_size=10),
)


@given(DATEISH, TODAYS)
def test_a_date_is_a_day_of_this_or_last_year_up_to_today_or_a_reason(
    text: str, today: date
) -> None:
    refusal: StudyDateError | None = None
    try:
        day = parse_study_date(text, today=today)
    except StudyDateError as error:
        refusal = error
    if refusal is not None:
        assert refusal.kind in ("bad", "future", "old")
        assert refusal.message == texts.STUDY_DATE_ERRORS[refusal.kind]
    else:
        assert day <= today
        assert day.year >= today.year - 1


@given(TODAYS, st.integers(min_value=0, max_value=700))
def test_dates_as_people_write_them_are_read(today: date, back: int) -> None:
    day = today - timedelta(days=back)
    if day.year < today.year - 1:
        return
    for written in (day.isoformat(), f"{day.year}年{day.month}月{day.day}日", f"{day:%Y/%m/%d}"):
        assert parse_study_date(written, today=today) == day
    if day.year == today.year:
        assert parse_study_date(f"{day.month}月{day.day}日", today=today) == day
        assert parse_study_date(f"{day.month}/{day.day}", today=today) == day


@given(HOURSISH)
def test_hours_are_half_hour_steps_within_the_bounds_or_none(text: str) -> None:
    hours = parse_hours(text)
    if hours is not None:
        assert MIN_HOURS <= hours <= MAX_HOURS
        assert (hours * 2).is_integer()


@given(st.integers(min_value=1, max_value=24), st.sampled_from(["", "学时", "小时", " h"]))
def test_every_half_hour_step_is_read(halves: int, unit: str) -> None:
    assert parse_hours(f"{halves / 2:g}{unit}") == halves / 2


@given(st.text(max_size=TOPIC_MAX * 2))
def test_a_topic_is_one_line_of_at_most_the_limit_or_none(text: str) -> None:
    topic = clean_topic(text)
    if topic is None:
        assert not text.split() or len(" ".join(text.split())) > TOPIC_MAX
    else:
        assert 0 < len(topic) <= TOPIC_MAX
        assert topic == " ".join(topic.split())
