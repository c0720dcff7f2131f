"""Measure the search on labelled questions (JSON lines {"q", "law", "articles", "also"?}).

`law` null (or `articles` empty) marks a question the texts do not answer; `also` lists
equally correct articles of another text: [{"law": "统计法实施条例", "articles": [50]}].
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from knowledge.base import KnowledgeBase, SearchOutcome, Verdict
from knowledge.errors import KnowledgeError
from knowledge.refs import Ref


@dataclass(frozen=True)
class Case:
    """A labelled question; no expected refs means the bot should not answer it."""

    question: str
    expected: frozenset[Ref]


@dataclass(frozen=True)
class Miss:
    case: Case
    outcome: SearchOutcome


@dataclass
class Report:
    """Rates over the answerable and the unanswerable cases, and the cases that went wrong.

    top-1/top-3: answerable questions not abstained on whose first (first three) results
    include an entry citing a labelled article; correct abstain: unanswerable questions
    abstained on; false abstain: answerable questions abstained on. `ranked1`/`ranked3` count
    the same hits whatever the verdict; `confident_wrong` counts answerable questions given a
    confident ANSWER whose first result cites none of the labelled articles,
    `confident_unanswerable` unanswerable ones given a confident ANSWER, and `confident_right`
    answerable ones given a confident ANSWER that is right (shown directly, not as a suggestion).
    """

    answerable: int = 0
    unanswerable: int = 0
    top1: int = 0
    top3: int = 0
    correct_abstain: int = 0
    false_abstain: int = 0
    ranked1: int = 0
    ranked3: int = 0
    confident_wrong: int = 0
    confident_unanswerable: int = 0
    confident_right: int = 0
    misses: list[Miss] = field(default_factory=list)

    def rates(self) -> dict[str, float]:
        """The four rates `gridbot faq --eval` prints (their keys are its JSON)."""
        return {
            "top1": self.top1 / max(self.answerable, 1),
            "top3": self.top3 / max(self.answerable, 1),
            "correct_abstain": self.correct_abstain / max(self.unanswerable, 1),
            "false_abstain": self.false_abstain / max(self.answerable, 1),
        }

    def figures(self) -> dict[str, float]:
        """`rates` plus ranking regardless of verdict and confident-but-wrong answers."""
        answerable, unanswerable = max(self.answerable, 1), max(self.unanswerable, 1)
        return self.rates() | {
            "ranked1": self.ranked1 / answerable,
            "ranked3": self.ranked3 / answerable,
            "confident_wrong": self.confident_wrong / answerable,
            "confident_unanswerable": self.confident_unanswerable / unanswerable,
            "confident_right": self.confident_right / answerable,
            "confident_wrong_all": (self.confident_wrong + self.confident_unanswerable)
            / max(self.answerable + self.unanswerable, 1),
        }


def _refs(law: Any, articles: Any) -> set[Ref]:
    if not isinstance(articles, list):
        raise TypeError("articles 应为列表")
    if articles and not isinstance(law, str):
        raise TypeError("有 articles 时 law 应为法律名称")
    return {Ref(law, int(article)) for article in articles}


def parse_case(line: str) -> Case:
    """One JSON line as a case; raises ValueError, KeyError or TypeError if malformed."""
    row = json.loads(line)
    question = row["q"]
    if not isinstance(question, str) or not question.strip():
        raise TypeError("q 应为非空文字")
    expected = _refs(row.get("law"), row["articles"])
    also = row.get("also") or []
    if not isinstance(also, list):
        raise TypeError("also 应为列表")
    for other in also:
        expected |= _refs(other["law"], other["articles"])
    return Case(question, frozenset(expected))


def read_cases(path: Path) -> list[Case]:
    cases = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise KnowledgeError(f"无法读取 {path}：{exc}") from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            cases.append(parse_case(line))
        except (ValueError, KeyError, TypeError) as exc:
            raise KnowledgeError(f"{path.name} 第{number}行格式有误：{exc}") from exc
    return cases


def evaluate(knowledge: KnowledgeBase, cases: Iterable[Case], amount: int = 3) -> Report:
    report = Report()
    for case in cases:
        outcome = knowledge.search(case.question, amount=amount)
        answered = outcome.verdict != Verdict.ABSTAIN
        confident = outcome.verdict == Verdict.ANSWER
        hits = [bool(case.expected & set(result.entry.refs)) for result in outcome.results]
        if not case.expected:
            report.unanswerable += 1
            report.correct_abstain += not answered
            report.confident_unanswerable += confident
            if answered:
                report.misses.append(Miss(case, outcome))
            continue
        first, any3 = hits[:1] == [True], any(hits[:3])
        report.answerable += 1
        report.false_abstain += not answered
        report.top1 += answered and first
        report.top3 += answered and any3
        report.ranked1 += first
        report.ranked3 += any3
        report.confident_wrong += confident and not first
        report.confident_right += confident and first
        if not (answered and first):
            report.misses.append(Miss(case, outcome))
    return report
