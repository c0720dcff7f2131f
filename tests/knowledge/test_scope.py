"""The scope model: "没有找到" for what no text regulates, suggestions for what the law answers
in words our Q&A does not use."""

from dataclasses import replace

import pytest

from knowledge import tune
from knowledge.base import KnowledgeBase, Verdict
from knowledge.evaluate import Case
from knowledge.scope import NO_EVIDENCE, SCOPE_FEATURES, Evidence, in_scope


def test_evidence_features_are_bounded() -> None:
    extremes = (NO_EVIDENCE, Evidence(100.0, 100.0, 1.0, 1.0, 1.0, 1.0, 40))
    for evidence in extremes:
        features = evidence.features()
        assert len(features) == len(SCOPE_FEATURES)
        assert all(-1.1 <= value <= 1.1 for value in features)


@pytest.mark.parametrize(
    "question",
    ["单位食堂的饭卡丢了去哪补办", "个人所得税专项扣除在手机上怎么填", "统计师考试的教材在哪买"],
)
def test_what_no_text_regulates_is_declined(knowledge: KnowledgeBase, question: str) -> None:
    assert knowledge.search(question).verdict == Verdict.ABSTAIN


@pytest.mark.parametrize(
    "question",
    ["统计人员独立调查 独立报告 别人能不能干涉", "国家统计调查项目由谁来制定"],
)
def test_what_the_law_answers_is_not_declined(knowledge: KnowledgeBase, question: str) -> None:
    assert knowledge.search(question).verdict != Verdict.ABSTAIN


def test_the_scope_threshold_decides_between_suggesting_and_declining(
    knowledge: KnowledgeBase,
) -> None:
    question = "国家统计调查项目由谁来制定"
    strict = knowledge.with_scoring(replace(knowledge.scoring, scope=100.0, answer=100.0))
    lenient = knowledge.with_scoring(replace(knowledge.scoring, scope=0.0, answer=100.0))
    assert strict.search(question).verdict == Verdict.ABSTAIN
    assert lenient.search(question).verdict == Verdict.SUGGEST
    # A cited article is in scope whatever the model says.
    assert strict.search("统计法第四十四条 国家统计调查项目由谁来制定").verdict != Verdict.ABSTAIN


def test_the_scope_fit_weighs_outside_topics_against_answering(knowledge: KnowledgeBase) -> None:
    answerable = ("没建统计台账罚多少", "统计数据造假要承担什么责任", "调查对象拒绝报送统计资料")
    cases = [
        Case(question, frozenset(knowledge.search(question).results[0].entry.refs))
        for question in answerable
    ]
    cases += [
        Case(question, frozenset())
        for question in ("平台密码忘了怎么重置", "个税汇算清缴截止到几号", "社保缴费基数怎么定")
    ]
    weights, _ = tune.fit_scope(knowledge, cases * 3)
    assert weights[SCOPE_FEATURES.index("outside")] < 0
    assert in_scope(weights, 0.0, NO_EVIDENCE) >= 0
