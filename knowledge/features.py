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
  circumstances covers less of itself with any one text than a short one.
"""

import math
from collections.abc import Sequence

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
)


def logistic(weights: Sequence[float], bias: float, features: Sequence[float]) -> float:
    """100 * sigmoid(bias + weights . features): a score in [0, 100]."""
    logit = bias + sum(w * f for w, f in zip(weights, features, strict=True))
    if logit < -30:
        return 0.0
    return 100.0 / (1.0 + math.exp(-logit))


def bigrams(words: Sequence[str]) -> frozenset[str]:
    """The character pairs inside each word of two characters or more."""
    return frozenset(word[i : i + 2] for word in words for i in range(len(word) - 1))
