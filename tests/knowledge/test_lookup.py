"""/law lookups: law aliases, Chinese or Arabic numerals, 2009 numbers of the 统计法."""

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from knowledge.base import KnowledgeBase, Verdict
from knowledge.lookup import find_mentions, split_law
from knowledge.numerals import NUMERAL_CHARS


@pytest.mark.parametrize(
    ("text", "law", "number"),
    [
        ("统计法 第四十四条", "统计法", 44),
        ("统计法第44条", "统计法", 44),
        ("《中华人民共和国统计法》第四十四条", "统计法", 44),
        ("44", "统计法", 44),
        ("第四十四条", "统计法", 44),
        ("/law 法 7", "统计法", 7),
        ("条例 17", "统计法实施条例", 17),
        ("实施条例第十七条", "统计法实施条例", 17),
        ("统计法实施条例 五十", "统计法实施条例", 50),
        ("浙江条例第十五条", "浙江省统计工作监督管理条例", 15),
        ("省条例 13", "浙江省统计工作监督管理条例", 13),
        ("处分规定 第三条", "统计违法违纪行为处分规定", 3),
        ("指导意见 6", "乐清市基层统计网格智治指导意见", 6),
        ("37号文 三（四）", "乐清市基层统计网格智治指导意见", 6),
        ("网格意见 三(二)", "乐清市基层统计网格智治指导意见", 4),
        ("统计法 第四十四条 原文", "统计法", 44),
    ],
)
def test_lookup_finds_the_article(
    knowledge: KnowledgeBase, text: str, law: str, number: int
) -> None:
    found = knowledge.lookup(text)
    assert found.error is None
    assert found.article is not None
    assert (found.article.law, found.article.number) == (law, number)


def test_an_old_number_is_read_as_2009_and_explained(knowledge: KnowledgeBase) -> None:
    found = knowledge.lookup("统计法第四十一条")
    assert found.article is not None
    assert found.article.number == 44
    assert found.note is not None
    assert found.note.startswith(
        "您输入的是2009年文本的条文序号（第四十一条），2024年修正后为第四十四条。"
    )
    assert "/law 统计法 现行41" in found.note
    assert knowledge.lookup("统计法第四十二条").article == knowledge.article("统计法", 45)


@pytest.mark.parametrize(
    ("text", "number"),
    [("旧统计法第二十一条", 24), ("统计法 2009年 21", 24), ("原统计法第41条", 44), ("老 38", 41)],
)
def test_an_explicit_old_number(knowledge: KnowledgeBase, text: str, number: int) -> None:
    found = knowledge.lookup(text)
    assert found.article is not None
    assert found.article.number == number
    assert found.note
    assert "2009年文本" in found.note


def test_an_explicit_current_number_wins(knowledge: KnowledgeBase) -> None:
    found = knowledge.lookup("统计法 现行41")
    assert found.article == knowledge.article("统计法", 41)
    assert found.note is None


def test_a_number_that_moved_carries_a_hint(knowledge: KnowledgeBase) -> None:
    found = knowledge.lookup("统计法 第二十一条")
    assert found.article == knowledge.article("统计法", 21)
    assert found.note == (
        "这是2024年修正后的现行第二十一条；2009年文本的第二十一条现为第二十四条"
        "（发送 /law 统计法 旧21 查看）。"
    )
    assert knowledge.lookup("统计法 第三条").note is None
    assert knowledge.lookup("条例 第四十一条").note is None


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("统计法 第九十条", "《统计法》共53条，没有第九十条。"),
        ("条例 56", "《统计法实施条例》共55条，没有第五十六条。"),
        ("旧统计法 51", "2009年文本的《统计法》共50条，没有第五十一条。"),
        ("处分规定 4", "只收录了第一条至第三条，没有第四条的原文"),
        ("指导意见 11", "没有第11部分"),
        ("统计法", "请同时输入条文序号"),
        ("罚款", "无法识别条文"),
        ("", "无法识别条文"),
        ("统计法 第四十四款", "无法识别条文"),
        # Numbers no law has, however large (issue 12 #9: 10000 and up raised ValueError).
        ("统计法 第10000条", "《统计法》共53条，没有第一万条。"),
        ("条例 123456", "没有第十二万三千四百五十六条"),
        ("旧统计法 10000", "没有第一万条"),
        ("统计法 第0条", "无法识别条文"),
        ("统计法 " + "9" * 5000, "无法识别条文"),
    ],
)
def test_errors_say_what_is_wrong(knowledge: KnowledgeBase, text: str, error: str) -> None:
    found = knowledge.lookup(text)
    assert found.article is None
    assert found.error is not None
    assert error in found.error


@pytest.mark.parametrize(
    "text", ["统计法 第10000条", "第10000条", "第10000条是什么", "旧法第99999条"]
)
def test_a_large_article_number_in_a_question_is_a_clean_abstain(
    knowledge: KnowledgeBase, text: str
) -> None:
    outcome = knowledge.search(text)
    assert outcome.verdict == Verdict.ABSTAIN
    assert outcome.note is None or re.search(r"没有第.+条", outcome.note)


# Text shaped like what people type after /law or in a question: law names, markers, numbers.
_LAWISH = st.lists(
    st.sampled_from(
        [
            "统计法",
            "条例",
            "浙江条例",
            "处分规定",
            "指导意见",
            "旧",
            "现行",
            "2009年",
            "第",
            "条",
            "款",
            "（一）",
            "三",
            "末段",
            " ",
            "的",
            "罚款",
            "怎么罚",
            "0",
            "10000",
            "9" * 30,
            *NUMERAL_CHARS,
            "万",
            "/law",
        ]
    ),
    max_size=8,
).map("".join)
_ANY_TEXT = st.one_of(st.text(max_size=40), _LAWISH)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_ANY_TEXT)
def test_lookup_of_any_text_is_an_article_or_a_chinese_refusal(
    knowledge: KnowledgeBase, text: str
) -> None:
    found = knowledge.lookup(text)
    assert (found.article is None) == (found.error is not None)
    if found.error is not None:
        assert re.search(r"[\u4e00-\u9fff]", found.error)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=60)
@given(_ANY_TEXT)
def test_search_of_any_text_gives_an_outcome(knowledge: KnowledgeBase, text: str) -> None:
    outcome = knowledge.search(text)
    assert all(0 <= result.score <= 100 for result in outcome.results)
    assert all(ref.label for result in outcome.results for ref in result.entry.refs)


@given(_ANY_TEXT)
def test_mentions_and_law_names_in_any_text(text: str) -> None:
    law, rest = split_law(text)
    assert law is not None or rest == text
    for mention in find_mentions(text):
        assert 0 <= mention.start < mention.end <= len(text)
        assert mention.number > 0
