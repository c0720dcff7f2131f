"""Chinese numerals both ways and article numbers in the forms users type."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from knowledge.numerals import (
    LARGEST,
    NUMERAL_CHARS,
    find_article_mentions,
    parse_article_number,
    parse_chinese,
    to_chinese,
)


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (1, "一"),
        (10, "十"),
        (11, "十一"),
        (20, "二十"),
        (44, "四十四"),
        (100, "一百"),
        (105, "一百零五"),
        (110, "一百一十"),
        (1001, "一千零一"),
    ],
)
def test_to_chinese_and_back(number: int, text: str) -> None:
    assert to_chinese(number) == text
    assert parse_chinese(text) == number


def test_every_number_up_to_a_thousand_round_trips() -> None:
    assert all(parse_chinese(to_chinese(n)) == n for n in range(1, 1000))


@pytest.mark.parametrize(
    ("text", "number"),
    [("一十四", 14), ("两百", 200), ("四〇", None), ("四四", None), ("十十", None), ("", None)],
)
def test_parse_chinese_accepts_variants_and_rejects_nonsense(text: str, number: int | None) -> None:
    assert parse_chinese(text) == number


@pytest.mark.parametrize(
    "text", ["第四十四条", "第44条", "44", "四十四", "第 四十四 条", "４４", "第４４条"]
)
def test_article_number_in_every_form(text: str) -> None:
    assert parse_article_number(text) == 44


@pytest.mark.parametrize("text", ["统计法", "第条", "四十四款", "abc"])
def test_article_number_rejects_other_text(text: str) -> None:
    assert parse_article_number(text) is None


def test_mentions_in_a_sentence() -> None:
    assert [n for _, _, n in find_article_mentions("依照本法第十四条和第44条的规定")] == [14, 44]


def test_out_of_range() -> None:
    with pytest.raises(ValueError, match="out of range"):
        to_chinese(0)
    with pytest.raises(ValueError, match="out of range"):
        to_chinese(LARGEST + 1)


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (10000, "一万"),
        (10005, "一万零五"),
        (10010, "一万零一十"),
        (10500, "一万零五百"),
        (15000, "一万五千"),
        (LARGEST, "九千九百九十九万九千九百九十九"),
    ],
)
def test_to_chinese_beyond_ten_thousand(number: int, text: str) -> None:
    assert to_chinese(number) == text


@pytest.mark.parametrize(
    ("text", "number"),
    [("10000", 10000), ("0", None), ("000", None), ("007", 7), ("9" * 5000, None), ("٣", None)],
)
def test_parse_digits_within_range(text: str, number: int | None) -> None:
    assert parse_chinese(text) == number


_NUMERALISH = st.text(
    alphabet=st.sampled_from(f"0123456789０９第条 万{NUMERAL_CHARS}"), max_size=14
)


@given(st.one_of(st.text(max_size=30), _NUMERALISH))
def test_any_text_parses_to_a_number_that_prints_or_to_none(text: str) -> None:
    for number in (parse_chinese(text), parse_article_number(text)):
        assert number is None or to_chinese(number)
    for _, _, number in find_article_mentions(text):
        assert to_chinese(number)


@given(st.integers(1, 9999))
def test_every_number_below_ten_thousand_round_trips(number: int) -> None:
    assert parse_chinese(to_chinese(number)) == number
    assert parse_article_number(f"第{to_chinese(number)}条") == number
