"""The held-out folds: well formed, and the search measured against floors and goals.

fold_a to fold_e are all TUNED: `python -m knowledge.tune` fits the ranking model, the scope
model and the bands on them and the dev set together, their misses were read while choosing
word classes (synonyms.toml) and features, and their floors are in-sample figures that only
guard against regressions. What they say of questions nobody here has seen is the
cross-validation of `python -m knowledge.tune --cross-validate` (each file left out of the
fit in turn), not these floors.

UNTUNED is the place for folds written independently and never read by whoever tunes the
search (fold_f and fold_g): they are held to the goals themselves.
"""

import json
import re
from pathlib import Path

import pytest

from knowledge.base import KnowledgeBase
from knowledge.evaluate import Report, evaluate, read_cases

DATA = Path(__file__).parents[1] / "data"
TUNED = ("a", "b", "c", "d", "e")
UNTUNED: tuple[str, ...] = ()  # fold_f, fold_g: add their names here, never their misses
FOLDS = {name: DATA / "heldout" / f"fold_{name}.jsonl" for name in (*TUNED, *UNTUNED)}

# Goals for a whole fold (issue 17, the set-B goals); an untuned fold is held to them.
GOALS = {"top1": 0.80, "top3": 0.90, "abstained": 0.05, "declined": 0.85, "confident_wrong": 0.03}
# The tuned folds' floors: what the search reaches on them (fitted on dev + a-e), rounded
# down a little and never below a goal met. Reached (top-1 / top-3 / abstained / declined /
# confident-but-wrong / confident right): fold_a 88.3 / 95.1 / 0.6 / 95.5 / 1.1 / 48.5,
# fold_b 81.9 / 91.0 / 1.2 / 91.3 / 0.0 / 44.6, fold_c 84.5 / 91.7 / 0.0 / 90.9 / 0.0 / 52.4,
# fold_d 83.0 / 93.2 / 0.0 / 89.3 / 2.1 / 52.4, fold_e 83.6 / 92.9 / 0.4 / 90.3 / 0.7 / 50.8:
# every goal met on every fold, in sample. Raise a floor when the search gets better; never
# lower one to pass. `confident` (right answers shown directly rather than as "您是不是想问")
# has no goal in the issue; its floor keeps the answer band from creeping back up.
FLOORS = {
    "a": {
        "top1": 0.87,
        "top3": 0.94,
        "abstained": 0.01,
        "declined": 0.95,
        "confident_wrong": 0.02,
        "confident": 0.47,
    },
    "b": {
        "top1": 0.81,
        "top3": 0.90,
        "abstained": 0.02,
        "declined": 0.90,
        "confident_wrong": 0.01,
        "confident": 0.43,
    },
    "c": {
        "top1": 0.83,
        "top3": 0.91,
        "abstained": 0.01,
        "declined": 0.90,
        "confident_wrong": 0.01,
        "confident": 0.51,
    },
    "d": {
        "top1": 0.82,
        "top3": 0.92,
        "abstained": 0.01,
        "declined": 0.885,
        "confident_wrong": 0.025,
        "confident": 0.51,
    },
    "e": {
        "top1": 0.82,
        "top3": 0.92,
        "abstained": 0.01,
        "declined": 0.90,
        "confident_wrong": 0.01,
        "confident": 0.49,
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


def test_every_fold_is_tuned_or_untuned() -> None:
    present = {path.stem.removeprefix("fold_") for path in (DATA / "heldout").glob("fold_*.jsonl")}
    assert present == set(TUNED) | set(UNTUNED)
    assert not set(TUNED) & set(UNTUNED)
    assert set(FLOORS) == set(TUNED)


@pytest.mark.parametrize("name", [*TUNED, *UNTUNED])
def test_fold_stays_at_or_above_its_floor(knowledge: KnowledgeBase, name: str) -> None:
    reached = figures(evaluate(knowledge, read_cases(FOLDS[name])))
    floor = FLOORS.get(name, GOALS)
    assert reached["top1"] >= floor["top1"], reached
    assert reached["top3"] >= floor["top3"], reached
    assert reached["abstained"] <= floor["abstained"], reached
    assert reached["declined"] >= floor["declined"], reached
    assert reached["confident_wrong"] < floor["confident_wrong"], reached
    assert reached["confident"] >= floor.get("confident", 0.0), reached
    # The floors never claim more than the goals ask (a floor above a goal is a goal met).
    assert floor["confident_wrong"] <= GOALS["confident_wrong"]
