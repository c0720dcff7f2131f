"""Is a question one the texts answer at all? A second logistic model, over what the ranking
found for the whole question, that decides between "您是不是想问" and "没有找到".

The ranking score says how likely the best entry is right; a question the law does answer but
our entries phrase differently scores low on it, while a question about a neighbouring topic
(a platform's password, a tax deadline) can score high on an entry that shares its words. What
separates the two is evidence about the question rather than about one entry:

- best, best_logit: the best document's ranking score (as a chance and on the logit scale);
- runner_up: the second best document's score (an in-scope question tends to find several);
- known: the share of the question's weight made of words the index knows;
- outside: the share of its weight about topics no text regulates (`Synonyms.outside`) that the
  best document does not cover (only an approved local answer can);
- law_coverage: the best coverage of the question by any passage of the law texts, as the law
  is the scope, whatever our Q&A phrases;
- coverage: the best document's coverage;
- length: how many words the question has (up to 12).

Fitted by `python -m knowledge.tune` on the tuning folds (see `scoring.Scoring.scope`).
"""

import math
from collections.abc import Sequence
from typing import NamedTuple

from knowledge.features import logistic

SCOPE_FEATURES: tuple[str, ...] = (
    "best",
    "best_logit",
    "runner_up",
    "known",
    "outside",
    "law_coverage",
    "coverage",
    "length",
)

# Fitted by `python -m knowledge.tune` on the dev set and folds a-g.
SCOPE_FITTED: dict[str, float] = {
    "best": 2.44,
    "best_logit": 2.29,
    "runner_up": 2.56,
    "known": 2.15,
    "outside": -5.4,
    "law_coverage": 0.56,
    "coverage": 1.65,
    "length": 0.62,
}
SCOPE_BIAS = -2.1


class Evidence(NamedTuple):
    """What the ranking of one question found, for `SCOPE_FEATURES`."""

    best: float  # ranking scores in [0, 100]
    runner_up: float
    known: float
    outside: float
    law_coverage: float
    coverage: float
    size: int

    def features(self) -> tuple[float, ...]:
        best = self.best
        return (
            best / 100,
            math.log((best + 0.5) / (100.5 - best)) / 5,
            self.runner_up / 100,
            self.known,
            self.outside,
            self.law_coverage,
            self.coverage,
            min(1.0, self.size / 12),
        )


NO_EVIDENCE = Evidence(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0)


def in_scope(weights: Sequence[float], bias: float, evidence: Evidence) -> float:
    """The chance in [0, 100] that the texts answer the question."""
    return logistic(weights, bias, evidence.features())
