"""What the ranking model sees of a (question, document) pair, and how it turns that into a
score: a logistic model over a few lexical similarities, fitted by `knowledge.tune`.

Each feature is in [0, 1] (bm25 in [0, 2]):

- phrasing: idf-weighted Dice overlap with the closest phrasing of a Q&A entry;
- phrasing_recall: the share of that phrasing's words found in the question (people add their
  circumstances to a question, so a phrasing may be all in a longer question);
- coverage: the share of the question's weight whose words the document contains (each word
  capped at its idf), and bm25 the uncapped BM25 sum on the same scale;
- characters / tokens: rapidfuzz ratios with the closest phrasing (typos, word order);
- article, article_coverage: the document is a passage of a law text (no phrasings), and its
  coverage on its own slope, since law wording is further from questions than phrasings are;
- bigrams: the share of the question's character pairs found in a law passage, which catches
  words that segmentation splits differently on the two sides;
- known: the share of the question's weight made of words the index knows, the same for every
  document of one question (it only moves the verdict, not the order);
- within: the share of the question's weight that is not about a topic no text regulates
  (`Synonyms.outside`), unless the document itself has that word;
- length: how many words the question has (up to 12), as a long question with its
  circumstances covers less of itself with any one text than a short one;
- named, named_other: the question names a text other than the 统计法 (浙江的条例, 实施条例,
  处分规定, 指导意见), and the document's entry cites it, or cites none of the named texts;
- cited_text: the coverage of the question by the whole text of an article the document's
  entry cites (for a law passage, its own article), the best of them;
- cited_phrasing: the best phrasing match among the candidate Q&A entries that cite one of
  those articles (the document's own included).
"""

import math
from collections.abc import Sequence

from knowledge.refs import LAWS, POLICY, STATISTICS_LAW

_ZHEJIANG = "浙江省统计工作监督管理条例"
# What people call the texts in a question, longest first. The 统计法 is left out: people say
# 统计法 for "the law" in general. 浙江 alone names the Zhejiang regulation, the only
# provincial text.
_NAMES: tuple[tuple[str, str], ...] = tuple(
    sorted(
        [
            *((alias, law.stem) for law in LAWS for alias in law.aliases if len(alias) > 1),
            ("浙江", _ZHEJIANG),
            ("网格意见", POLICY),
        ],
        # The bare 条例 last, after 浙江 (see `named_laws`).
        key=lambda pair: (-len(pair[0]), pair[0] == "条例"),
    )
)

FEATURES: tuple[str, ...] = (
    "phrasing",
    "phrasing_recall",
    "coverage",
    "bm25",
    "characters",
    "tokens",
    "article",
    "article_coverage",
    "bigrams",
    "known",
    "within",
    "length",
    "named",
    "named_other",
    "cited_text",
    "cited_phrasing",
)


# Fitted by `python -m knowledge.tune` on the dev set and folds a-g (see `scoring.Scoring`).
FITTED: dict[str, float] = {
    "phrasing": 1.19,
    "phrasing_recall": 0.59,
    "coverage": 2.44,
    "bm25": 3.35,
    "characters": 2.59,
    "tokens": 1.73,
    "article": 0.6,
    "article_coverage": 0.73,
    "bigrams": 2.0,
    "known": -1.76,
    "within": 0.14,
    "length": 4.34,
    "named": 0.38,
    "named_other": -0.38,
    "cited_text": 2.76,
    "cited_phrasing": -1.48,
}
FITTED_BIAS = -5.71


def logistic(weights: Sequence[float], bias: float, features: Sequence[float]) -> float:
    """100 * sigmoid(bias + weights . features): a score in [0, 100]."""
    logit = bias + sum(w * f for w, f in zip(weights, features, strict=True))
    if logit < -30:
        return 0.0
    return 100.0 / (1.0 + math.exp(-logit))


def bigrams(words: Sequence[str]) -> frozenset[str]:
    """The character pairs inside each word of two characters or more."""
    return frozenset(word[i : i + 2] for word in words for i in range(len(word) - 1))


def named_laws(text: str) -> frozenset[str]:
    """The texts other than the 统计法 that `text` names (longest name first, each once)."""
    found: set[str] = set()
    for name, stem in _NAMES:
        # A bare 条例 next to 浙江 is the Zhejiang regulation (浙江那个条例), already found.
        if name in text and not (name == "条例" and _ZHEJIANG in found):
            text = text.replace(name, " ")
            if stem != STATISTICS_LAW:
                found.add(stem)
    return frozenset(found)
