"""The held-out folds: well formed, and the search measured against floors and goals.

All seven folds are TUNED now; none of them says any more what the search does on questions
nobody here has seen:

- fold_a to fold_e: `python -m knowledge.tune` has fitted the ranking model, the scope model
  and the bands on them (with the dev set) since they were written, and their misses were read
  while choosing word classes (synonyms.toml) and features.
- fold_f and fold_g were written independently and first measured untuned, with the models
  fitted on dev + a-e (top-1 / top-3 / answerable abstained / unanswerable declined /
  confident-but-wrong: f 83.2 / 92.3 / 0.5 / 96.4 / 3.2, g 82.9 / 90.3 / 1.4 / 78.3 / 2.1, so
  f missed the confident-but-wrong goal and g the declined goal). Then they became tuning
  data: their misses were read while adding outside-topic classes (pay, jobs and recruitment,
  trade unions, other laws by name, business registration) and names for the bureau (tjj, tj局),
  the models and bands were refitted on dev + a-g, and the band targets (`tune.DECLINE`,
  `tune.CONFIDENT_WRONG`) were chosen by leaving each of the eight files out in turn.

Their floors are in-sample figures that only guard against regressions. What the search does
on new questions is the cross-validation of `python -m knowledge.tune --cross-validate` (each
file left out of the fit in turn) and the untuned folds.

UNTUNED: fold_h and fold_i, written independently (by people who saw only the reference
texts, in two styles of their own) while f and g were being tuned, and never read by whoever
tuned the search: measured once on the search as it is here, and held to the goals themselves.
fold_h misses one: it declines 23 of its 28 unanswerable questions (82.1%, goal 85%), and its
floor is what it reached (MISSED below), never to be lowered. Their figures (top-1 / top-3 /
abstained / declined / confident-but-wrong): h 85.9 / 96.7 / 0.0 / 82.1 / 0.4, i 88.9 / 96.3
/ 0.5 / 86.2 / 0.8. Twelve questions of the new folds repeated older folds word for word (short
keyword queries) and were dropped from them; four of f and g's, answered by the grid policy
that the bot cites, were labelled so before they were first measured.
"""

import json
import re
from pathlib import Path

import pytest

from knowledge.base import KnowledgeBase
from knowledge.evaluate import Report, evaluate, read_cases

DATA = Path(__file__).parents[1] / "data"
TUNED = ("a", "b", "c", "d", "e", "f", "g")
UNTUNED = ("h", "i")  # never read their misses: they are the only untuned evidence
FOLDS = {name: DATA / "heldout" / f"fold_{name}.jsonl" for name in (*TUNED, *UNTUNED)}

# Goals for a whole fold (issue 17, the set-B goals); an untuned fold is held to them.
GOALS = {"top1": 0.80, "top3": 0.90, "abstained": 0.05, "declined": 0.85, "confident_wrong": 0.03}
# The tuned folds' floors: what the search reaches on them (fitted on dev + a-g), rounded
# down a little and never below a goal met. Reached (top-1 / top-3 / abstained / declined /
# confident-but-wrong / confident right): fold_a 88.3 / 95.1 / 0.6 / 95.5 / 0.5 / 26.4,
# fold_b 80.7 / 91.0 / 2.4 / 91.3 / 0.0 / 21.7, fold_c 84.5 / 91.7 / 0.0 / 95.5 / 0.0 / 33.3,
# fold_d 83.5 / 93.2 / 0.0 / 96.4 / 0.4 / 29.1, fold_e 84.0 / 92.9 / 0.4 / 93.5 / 0.4 / 35.3,
# fold_f 82.3 / 91.8 / 0.9 / 100.0 / 0.8 / 34.1, fold_g 83.9 / 90.8 / 0.9 / 91.3 / 0.8 / 35.9:
# every goal met on every fold, in sample. Raise a floor when the search gets better; never
# lower one to pass. `confident` (right answers shown directly rather than as "您是不是想问")
# has no goal in the issue; its floor keeps the answer band from creeping back up. Its floors
# were lowered once, on purpose, when the confident-wrong allowance went from 1% to 0.5% of
# the tuning questions (answer band 85.0 -> 93.9): a wrong confident answer is worse than a
# suggestion, and at 1% a held-out fold (fold_f) reached 2.8% confident-but-wrong.
# Goals an untuned fold missed, and what it reached instead (its floor for that figure).
MISSED = {"h": {"declined": 0.82}}

FLOORS = {
    "a": {
        "top1": 0.87,
        "top3": 0.94,
        "abstained": 0.01,
        "declined": 0.95,
        "confident_wrong": 0.01,
        "confident": 0.25,
    },
    "b": {
        "top1": 0.80,
        "top3": 0.90,
        "abstained": 0.03,
        "declined": 0.90,
        "confident_wrong": 0.01,
        "confident": 0.20,
    },
    "c": {
        "top1": 0.83,
        "top3": 0.91,
        "abstained": 0.01,
        "declined": 0.95,
        "confident_wrong": 0.01,
        "confident": 0.32,
    },
    "d": {
        "top1": 0.82,
        "top3": 0.92,
        "abstained": 0.01,
        "declined": 0.96,
        "confident_wrong": 0.01,
        "confident": 0.28,
    },
    "e": {
        "top1": 0.83,
        "top3": 0.92,
        "abstained": 0.01,
        "declined": 0.93,
        "confident_wrong": 0.01,
        "confident": 0.34,
    },
    "f": {
        "top1": 0.81,
        "top3": 0.91,
        "abstained": 0.015,
        "declined": 0.96,
        "confident_wrong": 0.015,
        "confident": 0.33,
    },
    "g": {
        "top1": 0.82,
        "top3": 0.90,
        "abstained": 0.015,
        "declined": 0.90,
        "confident_wrong": 0.015,
        "confident": 0.35,
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
    # An untuned fold is held to the goals, except where it missed one (and says so).
    assert set(MISSED) <= set(UNTUNED)
    for missed in MISSED.values():
        for figure, reached in missed.items():
            goal = GOALS[figure]
            assert reached < goal if figure in ("top1", "top3", "declined") else reached > goal


@pytest.mark.parametrize("name", [*TUNED, *UNTUNED])
def test_fold_stays_at_or_above_its_floor(knowledge: KnowledgeBase, name: str) -> None:
    reached = figures(evaluate(knowledge, read_cases(FOLDS[name])))
    floor = FLOORS.get(name, {**GOALS, **MISSED.get(name, {})})
    assert reached["top1"] >= floor["top1"], reached
    assert reached["top3"] >= floor["top3"], reached
    assert reached["abstained"] <= floor["abstained"], reached
    assert reached["declined"] >= floor["declined"], reached
    assert reached["confident_wrong"] < floor["confident_wrong"], reached
    assert reached["confident"] >= floor.get("confident", 0.0), reached
    # The floors never claim more than the goals ask (a floor above a goal is a goal met).
    assert floor["confident_wrong"] <= GOALS["confident_wrong"]
