"""Never a wrong legal fact: 2024 fines and numbers in every answer, citations that exist, and
law texts shown as law texts."""

import re
from pathlib import Path

import pytest

from knowledge.base import KnowledgeBase
from knowledge.evaluate import read_cases

DATA = Path(__file__).parents[1] / "data"
SENTENCE = re.compile(r"[^。；！？\n]+")
# A sentence that names an amount as the old one ("2009年文本为五万元以下", "由五万元提高到").
OLD = (
    "2009",
    "旧",
    "原来",
    "原先",
    "以前",
    "过去",
    "修改前",
    "修正前",
    "网上",
    "曾",
    "不再",
    "提高",
)
ENTERPRISE_44 = re.compile(r"拒报|拒绝提供|虚报|瞒报|不真实|不完整|阻碍|第四十四条")
LATE_OR_LEDGER_45 = re.compile(r"迟报|台账|原始记录|第四十五条")


def _chinese_amounts(text: str) -> str:
    for digits, words in (("50万", "五十万"), ("20万", "二十万"), ("10万", "十万")):
        text = text.replace(digits, words)
    return re.sub(r"(?<![0-9])5万", "五万", re.sub(r"(?<![0-9])1万", "一万", text))


def old_fines(text: str) -> list[str]:
    """Sentences of `text` that state a 2009 enterprise fine of the 统计法 as if current.

    2009 art. 41: up to 五万元, serious 五万元以上二十万元以下 (now 44: 十万元, 十万元以上五十万元);
    2009 art. 42: up to 一万元 for late reports or no 台账 (now 45: 五万元). 个体工商户 keep
    一万元 (44) and 一千元 (45).
    """
    found = []
    for sentence in SENTENCE.findall(_chinese_amounts(text)):
        if any(marker in sentence for marker in OLD):
            continue
        serious = re.search(r"(?<!五)二十万元|(?<![十])五万元以上", sentence)
        refuse = (
            re.search(r"(?<![十])五万元以下", sentence)
            and ENTERPRISE_44.search(sentence)
            and not LATE_OR_LEDGER_45.search(sentence)
        )
        late = (
            re.search(r"(?<![十])一万元以下", sentence)
            and LATE_OR_LEDGER_45.search(sentence)
            and "个体" not in sentence
        )
        if serious or refuse or late:
            found.append(sentence)
    return found


@pytest.mark.parametrize(
    ("sentence", "old"),
    [
        ("企业拒报统计资料的，可以并处五万元以下的罚款", True),
        ("情节严重的，处5万元以上20万元以下罚款", True),
        ("没有设置统计台账的，可以并处1万元以下的罚款", True),
        ("企业迟报或者没有台账的，可以并处五万元以下的罚款", False),
        ("个体工商户拒报的，可以并处一万元以下的罚款", False),
        ("2009年文本为五万元以下，现为十万元以下", False),
        ("企业罚款上限由五万元提高到十万元", False),
    ],
)
def test_the_old_fine_detector(sentence: str, old: bool) -> None:
    assert bool(old_fines(sentence)) == old


def test_no_answer_quotes_a_2009_fine_as_current(knowledge: KnowledgeBase) -> None:
    texts = [(entry.id, entry.answer) for entry in knowledge.entries]
    texts += [(tip.id, tip.text) for tip in knowledge.tips()]
    wrong = {ident: found for ident, text in texts if (found := old_fines(text))}
    assert not wrong


def test_law_texts_cite_old_numbers_only_with_the_current_one(knowledge: KnowledgeBase) -> None:
    cited = re.compile(
        r"统计法(?:[、和]?第[一二三四五六七八九十]+条(?:第[一二三四五六七八九十]+[款项])*)+"
    )
    for entry in knowledge.entries:
        if entry.kind != "article" or entry.refs[0].law == "统计法":
            continue
        # Titles (suggestion buttons) have no room for a note: they show the current number.
        assert not cited.search(entry.title), entry.title
        for match in cited.finditer(entry.answer):
            assert entry.answer[match.end() :].startswith("（2009年文本的条文序号，现行统计法为"), (
                entry.id,
                match.group(0),
            )


def test_article_answers_are_labelled_and_cite_exactly_their_article(
    knowledge: KnowledgeBase,
) -> None:
    articles = [entry for entry in knowledge.entries if entry.kind == "article"]
    assert {entry.refs[0] for entry in articles} == {a.ref for a in knowledge.articles}
    for entry in articles:
        (ref,) = entry.refs
        assert entry.id == f"{ref.law}-{ref.article}"
        assert "原文" in entry.title
        assert entry.answer.startswith("以下是")
        assert ref.label in entry.answer
    # The 2009/2024 number table is a lookup aid, never a searchable text.
    assert not any("对照" in entry.id for entry in knowledge.entries)


@pytest.mark.parametrize(
    "fold", ["faq_dev.jsonl", *(f"heldout/fold_{name}.jsonl" for name in "abcde")]
)
def test_every_result_cites_articles_that_exist(knowledge: KnowledgeBase, fold: str) -> None:
    for case in read_cases(DATA / fold):
        for result in knowledge.search(case.question, amount=3).results:
            assert result.entry.refs, result.entry.id
            for ref in result.entry.refs:
                assert knowledge.article(ref.law, ref.article) is not None
