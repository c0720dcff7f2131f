"""The held-out folds: well formed, and the search measured on the folds it was not tuned on.

fold_a is the tuning fold (with tests/data/faq_dev.jsonl): `python -m knowledge.tune` fits the
models and the bands on it. The other folds were written by people who never saw knowledge/
and are only measured here. fold_b's misses were read while choosing word classes (stop 22):
it is no longer a clean held-out fold, and its floors only guard against regressions. fold_c,
fold_d and fold_e: nothing was chosen by looking at their questions.
"""

import json
import re
from pathlib import Path

import pytest

from knowledge.base import KnowledgeBase
from knowledge.evaluate import Report, evaluate, read_cases

DATA = Path(__file__).parents[1] / "data"
FOLDS = {name: DATA / "heldout" / f"fold_{name}.jsonl" for name in "abcde"}
TUNED = ("a",)
SEEN = ("b",)
UNTUNED = ("c", "d", "e")

# Goals for a whole fold (issue 17, the set-B goals), and the floors this test holds the
# untuned folds to: the figures reached when the test was written, rounded down a little.
# With the scope model (knowledge/scope.py), as reached at stop 22 (top-1 / top-3 /
# abstained / declined): fold_b 75.9 / 85.5 / 5.4 / 73.9, fold_c 79.2 / 89.9 / 1.8 / 81.8,
# fold_d 79.1 / 91.7 / 1.5 / 78.6, fold_e 79.0 / 88.2 / 5.0 / 90.3. Goals met: abstained on
# c and d, top-3 on d, declined on e, confident-but-wrong everywhere; the rest are missed.
# fold_e lost 5 questions that repeated fold_d (4) and fold_b (1) when it was brought in.
# Raise a floor when the search gets better; never lower one to pass.
# `confident` (right answers shown directly rather than as "您是不是想问") has no goal in the
# issue; its floor keeps the answer band from creeping back up (it was 31% and 33% at 90.8).
GOALS = {"top1": 0.80, "top3": 0.90, "abstained": 0.05, "declined": 0.85, "confident_wrong": 0.03}
FLOORS = {
    "b": {
        "top1": 0.75,
        "top3": 0.85,
        "abstained": 0.06,
        "declined": 0.73,
        "confident_wrong": 0.03,
        "confident": 0.37,
    },
    "c": {
        "top1": 0.79,
        "top3": 0.895,
        "abstained": 0.02,
        "declined": 0.81,
        "confident_wrong": 0.03,
        "confident": 0.45,
    },
    "d": {
        "top1": 0.79,
        "top3": 0.91,
        "abstained": 0.02,
        "declined": 0.78,
        "confident_wrong": 0.03,
        "confident": 0.50,
    },
    "e": {
        "top1": 0.785,
        "top3": 0.88,
        "abstained": 0.055,
        "declined": 0.90,
        "confident_wrong": 0.03,
        "confident": 0.47,
    },
}

# An article number in any form: 第四十四条, 第44条, 44条, 四十四条, 条例17, 第二款.
ARTICLE_NUMBER = re.compile(
    r"第\s*[0-9一二三四五六七八九十百零〇两]+\s*[条款项章]|[0-9]+\s*条|[十百][一二三四五六七八九]?条"
    r"|(?:法|条例|规定)\s*[0-9]+"
)


# Failures name a fold and a line, never a question: the questions of the held-out folds are
# not to be read by whoever tunes the search.


@pytest.mark.parametrize("name", sorted(FOLDS))
def test_fold_is_complete_and_well_formed(knowledge: KnowledgeBase, name: str) -> None:
    lines = [line for line in FOLDS[name].read_text(encoding="utf-8").splitlines() if line]
    assert len(lines) >= 150
    for number, line in enumerate(lines, start=1):
        row = json.loads(line)
        assert set(row) <= {"q", "law", "articles", "also"}, (name, number)
        assert not ARTICLE_NUMBER.search(row["q"]), (name, number, "cites an article number")
        assert (row["law"] is None) == (not row["articles"]), (name, number)
    cases = read_cases(FOLDS[name])
    assert len(cases) == len(lines)
    assert len({case.question for case in cases}) == len(cases), (name, "a question is repeated")
    for number, case in enumerate(cases, start=1):
        for ref in case.expected:
            assert knowledge.article(ref.law, ref.article) is not None, (name, number, ref)
    unanswerable = sum(1 for case in cases if not case.expected)
    assert 10 <= unanswerable <= len(cases) // 4


def test_folds_share_no_question_with_each_other_or_the_data(knowledge: KnowledgeBase) -> None:
    seen: dict[str, tuple[str, int]] = {}
    sources = {"dev": DATA / "faq_dev.jsonl", **{f"fold_{n}": p for n, p in FOLDS.items()}}
    phrasings = {text for entry in knowledge.entries for text in (entry.title, *entry.alternatives)}
    for source, path in sources.items():
        for number, case in enumerate(read_cases(path), start=1):
            assert case.question not in seen, (source, number, "repeats", seen.get(case.question))
            assert case.question not in phrasings, (source, number, "is a curated phrasing")
            seen[case.question] = (source, number)


def figures(report: Report) -> dict[str, float]:
    rates = report.figures()
    return {
        "top1": rates["top1"],
        "top3": rates["top3"],
        "abstained": rates["false_abstain"],
        "declined": rates["correct_abstain"],
        "confident_wrong": rates["confident_wrong_all"],
        "confident": rates["confident_right"],
    }


def test_every_fold_is_tuned_seen_or_held_to_a_floor() -> None:
    assert set(TUNED) | set(SEEN) | set(UNTUNED) == set(FOLDS)
    assert set(FLOORS) == set(SEEN) | set(UNTUNED)


@pytest.mark.parametrize("name", [*SEEN, *UNTUNED])
def test_untuned_fold_stays_at_or_above_its_floor(knowledge: KnowledgeBase, name: str) -> None:
    reached = figures(evaluate(knowledge, read_cases(FOLDS[name])))
    floor = FLOORS[name]
    assert reached["top1"] >= floor["top1"], reached
    assert reached["top3"] >= floor["top3"], reached
    assert reached["abstained"] <= floor["abstained"], reached
    assert reached["declined"] >= floor["declined"], reached
    assert reached["confident_wrong"] < floor["confident_wrong"], reached
    assert reached["confident"] >= floor["confident"], reached
    # The floors never claim more than the goals ask (a floor above a goal is a goal met).
    assert floor["confident_wrong"] <= GOALS["confident_wrong"]
