"""What /study accepts from the user, proved for any text: a value within the rules, or a clean
refusal, never an exception."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from services.study import (
    MIN_HOURS,
    TOPIC_MAX,
    HourLimits,
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
    st.text(
        alphabet="0123456789０１２３４５６７８９٣३〇零一二两三四五六七八九十-/.年月日号",
        max_size=14,
    ),
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
        assert refusal.message == texts.study_date_error(refusal.kind, today)
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


HOURSISH = st.one_of(
    HOURSISH,
    st.text(
        alphabet="0123456789０１２３４５６７８９٣३੩一二两三四五六七八九十半个点学时", max_size=8
    ),
)
# Decimal digits of other scripts: int() reads them, people writing hours do not mean them.
FOREIGN_DIGITS = st.characters(categories=["Nd"]).filter(
    lambda c: not ("0" <= c <= "9" or "０" <= c <= "９")
)
CHINESE = dict(enumerate("零一二三四五六七八九"))
MOSTS = st.sampled_from([0.5, 4.0, 8.0, 12.0, 24.0])


def chinese(number: int) -> str:
    """12 -> 十二, 20 -> 二十, 7 -> 七 (as people write 1–31)."""
    if number < 10:
        return CHINESE[number]
    tens, units = divmod(number, 10)
    return ("" if tens == 1 else CHINESE[tens]) + "十" + (CHINESE[units] if units else "")


@given(HOURSISH, MOSTS)
def test_hours_are_half_hour_steps_within_the_bounds_or_none(text: str, most: float) -> None:
    hours = parse_hours(text, most=most)
    if hours is not None:
        assert MIN_HOURS <= hours <= most
        assert (hours * 2).is_integer()


@given(st.integers(min_value=1, max_value=48), st.sampled_from(["", "学时", "小时", " h"]))
def test_every_half_hour_step_is_read_up_to_the_cap(halves: int, unit: str) -> None:
    hours = halves / 2
    expected = hours if hours <= HourLimits().per_entry else None
    assert parse_hours(f"{hours:g}{unit}") == expected
    assert parse_hours(f"{hours:g}{unit}", most=24) == hours
    # Full-width digits, as a Chinese input method types them.
    full_width = f"{hours:g}".translate(str.maketrans("0123456789.", "０１２３４５６７８９．"))
    assert parse_hours(full_width + unit, most=24) == hours


@given(st.integers(min_value=1, max_value=24), st.sampled_from(["", "学时", "小时", "个小时"]))
def test_hours_in_chinese_numerals_are_read(whole: int, unit: str) -> None:
    assert parse_hours(chinese(whole) + unit, most=24) == whole
    assert parse_hours(f"{chinese(whole)}个半{unit or '小时'}", most=24.5) == whole + 0.5


def test_hours_as_people_say_them() -> None:
    assert parse_hours("两小时") == 2
    assert parse_hours("一个半小时") == 1.5
    assert parse_hours("半小时") == 0.5
    assert parse_hours("一点五学时") == 1.5
    assert parse_hours("٣") is None  # Arabic-Indic 3
    assert parse_hours("३") is None  # Devanagari 3
    assert parse_hours("9") is None  # above the default cap of 8 per entry


@given(
    st.text(alphabet="0123456789.", max_size=4), FOREIGN_DIGITS, st.text("0123456789", max_size=2)
)
def test_digits_of_other_scripts_are_never_read(before: str, digit: str, after: str) -> None:
    assert parse_hours(before + digit + after, most=24) is None
    refusal: StudyDateError | None = None
    try:
        parse_study_date(f"2026-1{digit}-0{digit}", today=date(2026, 12, 31))
    except StudyDateError as error:
        refusal = error
    assert refusal is not None
    assert refusal.kind == "bad"


@given(TODAYS, st.integers(min_value=0, max_value=700))
def test_dates_in_chinese_numerals_and_full_width_digits_are_read(today: date, back: int) -> None:
    day = today - timedelta(days=back)
    if day.year < today.year - 1:
        return
    year = "".join("〇一二三四五六七八九"[int(c)] for c in str(day.year))
    written = f"{year}年{chinese(day.month)}月{chinese(day.day)}日"
    assert parse_study_date(written, today=today) == day
    full_width = day.isoformat().translate(str.maketrans("0123456789-", "０１２３４５６７８９－"))
    assert parse_study_date(full_width, today=today) == day
    if day.year == today.year:
        assert parse_study_date(f"{chinese(day.month)}月{chinese(day.day)}号", today=today) == day


@given(st.text(max_size=TOPIC_MAX * 2))
def test_a_topic_is_one_line_of_at_most_the_limit_or_none(text: str) -> None:
    topic = clean_topic(text)
    if topic is None:
        assert not text.split() or len(" ".join(text.split())) > TOPIC_MAX
    else:
        assert 0 < len(topic) <= TOPIC_MAX
        assert topic == " ".join(topic.split())


@given(st.dates(min_value=date(2001, 1, 1), max_value=date(2099, 12, 31)))
def test_the_date_examples_are_past_days_the_parser_accepts(today: date) -> None:
    import re

    from services.study import parse_study_date
    from services.study import texts as study_texts

    prompt = study_texts.study_date_prompt(today)
    examples = re.findall(r"\d{4}-\d{2}-\d{2}|\d{1,2}月\d{1,2}日", prompt)
    assert len(examples) == 2
    for example in examples:
        assert parse_study_date(example, today=today) <= today
    error = study_texts.study_date_error("bad", today)
    assert re.findall(r"\d{4}-\d{2}-\d{2}|\d{1,2}月\d{1,2}日", error) == examples
