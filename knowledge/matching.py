"""What one (question, document) pair looks like to the ranking: the analysed question, the
indexed documents, and the lexical similarities between them (`features.FEATURES`)."""

from dataclasses import dataclass
from typing import NamedTuple

from rapidfuzz import fuzz


class Phrasing(NamedTuple):
    tokens: frozenset[int]
    weight: float  # the idf of its words, each word once
    characters: str  # cleaned text without spaces
    joined: str  # canonical tokens, sorted, space-joined


class Document(NamedTuple):
    entry: int  # its entry's number: an article has one document per passage
    terms: dict[int, int]  # token id -> frequency in the document
    length: int
    phrasings: tuple[Phrasing, ...]
    grams: frozenset[str]  # a law passage's character pairs (empty for Q&A entries)
    laws: frozenset[str]  # the laws its entry cites


@dataclass(frozen=True)
class Query:
    """An analysed question: its words as groups of token ids with a weight, and the texts
    rapidfuzz compares."""

    groups: tuple[tuple[frozenset[int], float], ...]  # known words: (token ids, idf)
    total: float  # the weight of all words, unknown ones included
    characters: str
    joined: str
    known: float = 1.0  # the share of its weight (outside topics aside) the index knows
    size: int = 1  # how many words (groups) it has
    caps: tuple[float, ...] = ()  # per group, its highest idf (a term's score is capped at it)
    named: frozenset[str] = frozenset()  # the texts it names (浙江的条例, 处分规定)
    # Words about a topic no text regulates: (token ids the index knows, weight). Only an
    # entry containing one covers it (an instructor's approved answer about passwords).
    outside: tuple[tuple[frozenset[int], float], ...] = ()
    grams: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Collection:
    """What the similarities need of the index as a whole."""

    idf: list[float]
    average_length: float
    k1: float
    b: float


def coverage(query: Query, document: Document, collection: Collection) -> tuple[float, float]:
    """The share of the question's weight the document contains (each word capped at its idf)
    and the uncapped BM25 sum on the same scale (at most 2)."""
    k1 = collection.k1
    norm = k1 * (1 - collection.b + collection.b * document.length / collection.average_length)
    covered = bm25 = 0.0
    terms, idf = document.terms, collection.idf
    for (group, _), cap in zip(query.groups, query.caps, strict=True):
        best = 0.0
        for token in group:
            frequency = terms.get(token)
            if frequency:
                term = idf[token] * frequency * (k1 + 1) / (frequency + norm)
                if term > best:
                    best = term
        # Capped at the idf, the term score says "this word is here" (a long text, where
        # it is diluted, gets less); uncapped, repeats and short texts rank higher.
        covered += best if best < cap else cap
        bm25 += best
    total = query.total
    return covered / total, min(2.0, bm25 / (k1 + 1) / total)


def lexical(query: Query, document: Document, collection: Collection) -> list[float]:
    """The features of one document on its own: `features.FEATURES` up to `named_other`."""
    covered, repeats = coverage(query, document, collection)
    total = query.total
    phrasing = recall = characters = tokens = grams = 0.0
    for candidate in document.phrasings:
        shared = sum(
            weight for group, weight in query.groups if not group.isdisjoint(candidate.tokens)
        )
        phrasing = max(phrasing, min(1.0, 2 * shared / (total + candidate.weight)))
        if candidate.weight:
            recall = max(recall, min(1.0, shared / candidate.weight))
        characters = max(characters, fuzz.ratio(query.characters, candidate.characters))
        tokens = max(tokens, fuzz.token_set_ratio(query.joined, candidate.joined))
    article = 0.0 if document.phrasings else 1.0
    if article and query.grams:
        grams = len(query.grams & document.grams) / len(query.grams)
    return [
        phrasing,
        recall,
        covered,
        repeats,
        characters / 100,
        tokens / 100,
        article,
        article * covered,
        grams,
        query.known,
        1 - sum(w for ids, w in query.outside if ids.isdisjoint(document.terms)) / total,
        min(1.0, query.size / 12),
        float(bool(query.named & document.laws)),
        float(bool(query.named) and not query.named & document.laws),
    ]
