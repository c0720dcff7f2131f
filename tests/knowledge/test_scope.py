"""The scope model: "没有找到" for what no text regulates, suggestions for what the law answers
in words our Q&A does not use."""

from dataclasses import replace
from datetime import date

import pytest

from knowledge import tune
from knowledge.base import KnowledgeBase, Verdict, local_entry
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


def test_an_approved_local_answer_covers_a_topic_no_text_regulates(
    knowledge: KnowledgeBase,
) -> None:
    question = "一套表平台的密码忘了 怎么重置"
    assert knowledge.search(question).verdict == Verdict.ABSTAIN
    local = local_entry(
        key="7",
        question="一套表平台密码忘了怎么重置",
        answer="在登录页点“忘记密码”，用注册手机号接收验证码后重置。",
        approved_on=date(2026, 11, 14),
    )
    extended = knowledge.with_local_entries([local])
    outcome = extended.search(question)
    assert outcome.verdict != Verdict.ABSTAIN
    assert outcome.results[0].entry.id == "local-7"
    # The scope model sees the topic covered, not a question about something no text regulates.
    assert tune.evidence(knowledge, question).outside > 0
    assert tune.evidence(extended, question).outside == 0


def test_results_add_articles_or_local_answers(knowledge: KnowledgeBase) -> None:
    for question in ("企业不报统计报表会怎样", "统计数据造假谁负责", "统计台账怎么建"):
        shown: set[object] = set()
        for result in knowledge.search(question).results:
            refs = set(result.entry.refs)
            assert not refs or not refs <= shown, (question, result.entry.id)
            shown |= refs
