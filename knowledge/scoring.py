"""The tunable numbers of the search: BM25 constants, the weights of the ranking and scope
models, and the verdict thresholds."""

from dataclasses import dataclass

from knowledge.features import FEATURES, FITTED, FITTED_BIAS
from knowledge.scope import SCOPE_BIAS, SCOPE_FEATURES, SCOPE_FITTED


@dataclass(frozen=True)
class Scoring:
    """Model weights and verdict thresholds.

    `weights`, `bias` and the scope model's `scope_weights`, `scope_bias` are fitted by
    `python -m knowledge.tune` on the dev set (tests/data/faq_dev.jsonl) and the tuning folds
    a-g (tests/data/heldout/fold_[a-g].jsonl), never on the untuned folds; `answer`,
    `suggest` and `scope` are read off the same data (see knowledge/tune.py for the rule).
    """

    k1: float = 1.2
    b: float = 0.75
    # Weight of a query word missing from the index, as a fraction of the rarest word's idf.
    unknown_weight: float = 1.0
    # Weight of a word of `Synonyms.outside` (a topic no text regulates), likewise.
    outside_weight: float = 2.0
    # Weight of a word of one character (not mapped by the synonym list), relative to its idf.
    single_character: float = 0.8
    # The logistic model, one weight per `features.FEATURES`.
    weights: tuple[float, ...] = tuple(FITTED[name] for name in FEATURES)
    bias: float = FITTED_BIAS
    # A result whose refs include an article the question cites gets this added.
    cited_bonus: float = 25.0
    # Verdicts: ANSWER at or above `answer`, SUGGEST at or above `suggest` if the question is
    # in scope (`knowledge.scope`: its chance at or above `scope`), else ABSTAIN.
    answer: float = 93.9
    suggest: float = 0.0
    scope: float = 59.0
    scope_weights: tuple[float, ...] = tuple(SCOPE_FITTED[name] for name in SCOPE_FEATURES)
    scope_bias: float = SCOPE_BIAS
    # A confident answer must beat runners-up citing other articles by this much.
    margin: float = 3.0
    # How many candidates the cheap first pass hands to the full scoring.
    candidates: int = 40
    # Posting-list entries the first pass may visit (common words are scored in pass two only).
    postings_budget: int = 2500
