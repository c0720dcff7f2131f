"""Measure the search on labelled questions (JSON lines {"q", "law", "articles"})."""

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

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
    abstained on; false abstain: answerable questions abstained on.
    """

    answerable: int = 0
    unanswerable: int = 0
    top1: int = 0
    top3: int = 0
    correct_abstain: int = 0
    false_abstain: int = 0
    misses: list[Miss] = field(default_factory=list)

    def rates(self) -> dict[str, float]:
        return {
            "top1": self.top1 / max(self.answerable, 1),
            "top3": self.top3 / max(self.answerable, 1),
            "correct_abstain": self.correct_abstain / max(self.unanswerable, 1),
            "false_abstain": self.false_abstain / max(self.answerable, 1),
        }


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
            row = json.loads(line)
            question, law, articles = row["q"], row.get("law"), row["articles"]
            expected = frozenset(Ref(law, int(article)) for article in articles)
        except (ValueError, KeyError, TypeError) as exc:
            raise KnowledgeError(f"{path.name} 第{number}行格式有误：{exc}") from exc
        cases.append(Case(question, expected))
    return cases


def evaluate(knowledge: KnowledgeBase, cases: Iterable[Case], amount: int = 3) -> Report:
    report = Report()
    for case in cases:
        outcome = knowledge.search(case.question, amount=amount)
        answered = outcome.verdict != Verdict.ABSTAIN
        hits = [bool(case.expected & set(result.entry.refs)) for result in outcome.results]
        if not case.expected:
            report.unanswerable += 1
            report.correct_abstain += not answered
            if answered:
                report.misses.append(Miss(case, outcome))
            continue
        report.answerable += 1
        report.false_abstain += not answered
        report.top1 += answered and hits[:1] == [True]
        report.top3 += answered and any(hits[:3])
        if not (answered and hits[:1] == [True]):
            report.misses.append(Miss(case, outcome))
    return report
