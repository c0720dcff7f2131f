"""Ranking: lexical similarities (BM25-style idf-weighted coverage, rapidfuzz ratios, character
pairs) combined by a logistic model (`knowledge.features`), fitted on labelled questions.

Every entry gets a score in [0, 100], read as the chance that it answers the question: the
verdict bands are thresholds on it. A Q&A entry is one document (its phrasings and answer); a
law article is one document per passage (the whole article, each 款, each 项 with its lead-in),
and scores as its best passage. An entry is also judged by what supports the articles it cites
(the whole text of each, the best candidate Q&A phrasing citing it). A query word the index
has never seen weighs as much as `unknown_weight` of the rarest word, and one about a topic no
text regulates (密码, 个税) more, so that such questions score low and the bot abstains; so
does a word found only in answers (mentioned in passing), as no text is about it.
Synonyms and a word's parts form one group that counts once (`Analyzer.groups`).

Two passes keep a query fast at 10,000 entries: the rarer query words' posting lists pick
`Scoring.candidates` documents, and only those get the full score.
"""

import heapq
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from itertools import chain
from operator import itemgetter

from knowledge.entries import Entry
from knowledge.features import bigrams, logistic, named_laws
from knowledge.matching import Collection, Document, Phrasing, Query, coverage, lexical
from knowledge.refs import Ref
from knowledge.scope import NO_EVIDENCE, Evidence
from knowledge.scoring import Scoring
from knowledge.text import Analyzer


class _Words(dict[str, tuple[int, ...]]):
    """While building: each distinct word's token ids (`Analyzer.expand`), and in `group` the
    number of its group in `groups`, the distinct sets of token ids (a word's concept)."""

    def __init__(self, analyzer: Analyzer, ids: dict[str, int]) -> None:
        super().__init__()
        self.analyzer = analyzer
        self.ids = ids
        self.group: dict[str, int] = {}
        self.groups: dict[frozenset[int], int] = {}

    def __missing__(self, word: str) -> tuple[int, ...]:
        ids = self.ids
        found = self[word] = tuple(
            ids.setdefault(token, len(ids)) for token in self.analyzer.expand(word)
        )
        self.group[word] = self.groups.setdefault(frozenset(found), len(self.groups))
        return found


class SearchIndex:
    """An immutable index over `entries`; `rank` is pure computation (no I/O)."""

    def __init__(
        self, entries: Sequence[Entry], analyzer: Analyzer, scoring: Scoring | None = None
    ) -> None:
        self.scoring = scoring or Scoring()
        self.analyzer = analyzer
        self._ids: dict[str, int] = {}
        clean, cut = analyzer.clean, analyzer.cut
        # Words repeat, texts do not: each distinct word is analysed once, and the rest is
        # lookups and C-level counting over the words of each text.
        words = _Words(analyzer, self._ids)
        ids_of, group_of = words.__getitem__, words.group.__getitem__
        analysed: list[
            tuple[
                int, Counter[int], list[tuple[dict[int, None], frozenset[int], str]], frozenset[str]
            ]
        ]
        analysed = []
        for number, entry in enumerate(entries):
            phrasings = []
            found: list[int] = []
            # Q&A entries (curated or approved local answers) are phrased as questions.
            texts = (entry.title, *entry.alternatives) if entry.kind != "article" else ()
            for text in texts:
                cleaned = clean(text)
                cut_words = cut(cleaned)
                ids = list(chain.from_iterable(map(ids_of, cut_words)))
                found += ids
                phrasings.append(
                    (
                        dict.fromkeys(map(group_of, cut_words)),
                        frozenset(ids),
                        cleaned.replace(" ", ""),
                    )
                )
            if entry.kind == "article" and entry.passages:
                # One document per passage: a question about one 款 should not be diluted by
                # the rest of a long article.
                for passage in entry.passages:
                    cut_words = cut(clean(passage))
                    terms = Counter(chain.from_iterable(map(ids_of, cut_words)))
                    analysed.append((number, terms, [], bigrams(cut_words)))
                continue
            body = (
                entry.answer if entry.kind != "article" else f"{entry.topic or ''}\n{entry.answer}"
            )
            found += chain.from_iterable(map(ids_of, cut(clean(body))))
            analysed.append((number, Counter(found), phrasings, frozenset()))

        # What the texts do not regulate, they do not cover by mentioning it in passing (a
        # curated answer that says 打电话 is no answer about phone numbers); only an approved
        # instructor's answer can.
        beyond = {self._ids[word] for word in analyzer.synonyms.outside if word in self._ids}
        if beyond:
            for owner, terms, phrasings, _ in analysed:
                if entries[owner].kind == "local":
                    continue
                for token in beyond & terms.keys():
                    del terms[token]
                phrasings[:] = [(groups, ids - beyond, text) for groups, ids, text in phrasings]

        count = len(analysed)
        self._postings: list[list[int]] = [[] for _ in self._ids]  # token id -> entry numbers
        postings = self._postings
        for number, (_, terms, _, _) in enumerate(analysed):
            for token in terms:
                postings[token].append(number)
        self._idf = [
            math.log(1 + (count - len(numbers) + 0.5) / (len(numbers) + 0.5))
            for numbers in postings
        ]
        self._rarest = max(self._idf, default=1.0)
        # A word weighs its group's highest idf (0 for a stopword's empty group).
        weight_of = [self._weight(group) for group in words.groups]
        token_of = list(self._ids)  # token id -> token
        self._entries = tuple(entries)
        self._documents: list[Document] = []
        self._citing: dict[Ref, list[int]] = {}
        self._whole: dict[Ref, int] = {}  # an article -> the document of its whole text
        for number, (owner, terms, phrasings, grams) in enumerate(analysed):
            for ref in self._entries[owner].refs:
                self._citing.setdefault(ref, []).append(number)
                if entries[owner].kind == "article":
                    self._whole.setdefault(ref, number)
            self._documents.append(
                Document(
                    owner,
                    terms,
                    sum(terms.values()),
                    tuple(
                        Phrasing(
                            tokens,
                            sum(map(weight_of.__getitem__, groups)),
                            characters,
                            " ".join(sorted(map(token_of.__getitem__, tokens))),
                        )
                        for groups, tokens, characters in phrasings
                    ),
                    grams,
                    frozenset(ref.law for ref in self._entries[owner].refs),
                )
            )
        self._collection = Collection(
            self._idf,
            sum(d.length for d in self._documents) / max(count, 1),
            self.scoring.k1,
            self.scoring.b,
        )
        # Words a text is about: those of the law's passages and of the Q&A entries' phrasings
        # (not of their answers, which mention things in passing: 银行, 工资).
        self._topical = frozenset(
            chain(
                chain.from_iterable(
                    terms for owner, terms, _, _ in analysed if entries[owner].kind == "article"
                ),
                chain.from_iterable(
                    ids for _, _, phrasings, _ in analysed for _, ids, _ in phrasings
                ),
            )
        )

    def _weight(self, group: Iterable[int]) -> float:
        return max((self._idf[token] for token in group), default=0.0)

    def _characters(self, text: str) -> str:
        return self.analyzer.clean(text).replace(" ", "")

    def __len__(self) -> int:
        return len(self._entries)

    def analyse(self, text: str) -> Query:
        groups: list[tuple[frozenset[int], float]] = []
        total = 0.0
        tokens: set[str] = set()
        outside = self.analyzer.synonyms.outside
        beyond: list[tuple[frozenset[int], float]] = []
        known_weight = 0.0
        words_seen = self.analyzer.groups(text)
        words = self.analyzer.cut(self.analyzer.clean(text))
        for group in words_seen:
            tokens.update(group)
            if not outside.isdisjoint(group):
                # A topic the texts do not regulate (密码, 个税): no entry can cover it.
                weight = self.scoring.outside_weight * self._rarest
                ids = frozenset(self._ids[token] for token in group if token in self._ids)
                beyond.append((ids, weight))
                if ids:
                    groups.append((ids, weight))
                continue
            # A lone character (营 of an unknown 营收) is weak evidence either way.
            factor = self.scoring.single_character if len(min(group, key=len)) == 1 else 1.0
            known = frozenset(self._ids[token] for token in group if token in self._ids)
            if known and known.isdisjoint(self._topical):
                # Only in answers, mentioned in passing (银行, 工资): no text is about it, so it
                # weighs as a word the index has never seen.
                known = frozenset()
            if known:
                weight = factor * self._weight(known)
                groups.append((known, weight))
                total += weight
                known_weight += weight
            else:
                total += factor * self.scoring.unknown_weight * self._rarest
        stop = self.analyzer.synonyms.stopwords
        return Query(
            tuple(groups),
            total + sum(weight for _, weight in beyond),
            self._characters(text),
            " ".join(sorted(tokens)),
            known=known_weight / total if total else 0.0,
            size=len(words_seen),
            caps=tuple(self._weight(group) for group, _ in groups),
            named=named_laws(text),
            outside=tuple(beyond),
            grams=bigrams([word for word in words if word not in stop]),
        )

    def rank(
        self, query: Query, amount: int, cited: Mapping[Ref, float] | None = None
    ) -> list[tuple[Entry, float]]:
        """The best `amount` entries for `query`, best first, with scores in [0, 100].

        `cited` maps refs the question names (统计法第四十一条) to a bonus factor in [0, 1].
        """
        return self.assess(query, amount, cited)[0]

    def assess(
        self, query: Query, amount: int, cited: Mapping[Ref, float] | None = None
    ) -> tuple[list[tuple[Entry, float]], Evidence]:
        """`rank`, and what the ranking found about the question as a whole (`scope`)."""
        if amount <= 0 or (query.total <= 0 and not cited):
            return [], NO_EVIDENCE
        candidates = self._candidates(query)
        for ref in cited or ():
            candidates.update(self._citing.get(ref, ()))
        best: dict[int, float] = {}  # entry number -> its best document's score
        # Entry number -> its best document's coverage and the question's share about topics
        # no text regulates that it leaves uncovered (an approved local answer may cover one).
        found: dict[int, tuple[float, float]] = {}
        law_coverage = 0.0
        weights, bias = self.scoring.weights, self.scoring.bias
        scored_documents = (
            self.scored(query, candidates)
            if query.total > 0
            else [(number, []) for number in candidates]
        )
        for number, features in scored_documents:
            document = self._documents[number]
            score = logistic(weights, bias, features) if features else 0.0
            if features and not document.phrasings and features[2] > law_coverage:
                law_coverage = features[2]
            if cited:
                refs = self._entries[document.entry].refs
                bonus = max((cited.get(ref, 0.0) for ref in refs), default=0.0)
                score = min(100.0, score + self.scoring.cited_bonus * bonus)
            if score > best.get(document.entry, -1.0):
                best[document.entry] = score
                found[document.entry] = (features[2], 1 - features[10]) if features else (0, 0)
        scored = sorted(best.items(), key=lambda pair: (-pair[1], pair[0]))
        coverage, outside = found[scored[0][0]] if scored else (0.0, 0.0)
        if not scored or self._entries[scored[0][0]].kind != "local":
            # The texts never cover such a topic (`within` counts a word's parts as cover).
            outside = sum(weight for _, weight in query.outside) / (query.total or 1.0)
        evidence = Evidence(
            scored[0][1] if scored else 0.0,
            scored[1][1] if len(scored) > 1 else 0.0,
            query.known,
            outside,
            law_coverage,
            coverage,
            query.size,
        )
        return [(self._entries[number], score) for number, score in scored[:amount]], evidence

    def _candidates(self, query: Query) -> set[int]:
        """Cheap first pass: weight of the rarer query words per entry, top `candidates`."""
        mass: dict[int, float] = {}
        add = mass.get
        budget = self.scoring.postings_budget
        for group, weight in sorted(query.groups, key=itemgetter(1), reverse=True):
            if budget <= 0:
                break
            lists = [self._postings[token][:budget] for token in group]
            budget -= sum(map(len, lists))
            # Most words are one token; a synonym group must not count an entry twice.
            found = lists[0] if len(lists) == 1 else set().union(*lists)
            for number in found:
                mass[number] = add(number, 0.0) + weight
        best = heapq.nlargest(self.scoring.candidates, mass.items(), key=itemgetter(1))
        return {number for number, _ in best}

    def scored(self, query: Query, numbers: Iterable[int]) -> list[tuple[int, list[float]]]:
        """The values of `features.FEATURES` for each of the documents `numbers`.

        Besides a document's own similarities, two say what else supports the articles its
        entry cites: how much of the question their whole text covers, and how well the best
        candidate Q&A phrasing citing one of them matches (a question half in our words, half
        in the law's, is about the article both point to).
        """
        collection, documents, entries = self._collection, self._documents, self._entries
        rows = [(number, lexical(query, documents[number], collection)) for number in numbers]
        phrased: dict[Ref, float] = {}
        for number, features in rows:
            for ref in entries[documents[number].entry].refs:
                if features[0] > phrased.get(ref, 0.0):
                    phrased[ref] = features[0]
        texts: dict[Ref, float] = {}
        for number, features in rows:
            refs = entries[documents[number].entry].refs
            text = phrasing = 0.0
            for ref in refs:
                if ref not in texts:
                    whole = self._whole.get(ref)
                    texts[ref] = (
                        0.0 if whole is None else coverage(query, documents[whole], collection)[0]
                    )
                text = max(text, texts[ref])
                phrasing = max(phrasing, phrased.get(ref, 0.0))
            features += (text, phrasing)
        return rows

    def candidates(self, query: Query) -> list[tuple[Entry, list[float]]]:
        """The documents the first pass picks for `query`: their entries and features (for
        tuning)."""
        return [
            (self._entries[self._documents[number].entry], features)
            for number, features in self.scored(query, sorted(self._candidates(query)))
        ]
