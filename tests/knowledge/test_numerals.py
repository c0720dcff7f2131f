"""Chinese numerals both ways and article numbers in the forms users type."""

import pytest

from knowledge.numerals import (
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
