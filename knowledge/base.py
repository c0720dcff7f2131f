"""The knowledge base: load and check the data once, then search and look up articles."""

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from knowledge.entries import (
    Entry,
    Tip,
    article_entry,
    check_unique,
    local_entry,
    parse_faq,
    parse_tips,
)
from knowledge.errors import KnowledgeError
from knowledge.laws import load_laws
from knowledge.lookup import ArticleLookup, LawLookup, Mention, find_mentions
from knowledge.refs import LAWS_BY_STEM, STATISTICS_LAW, Article, Ref
from knowledge.scope import in_scope
from knowledge.scoring import Scoring
from knowledge.search import SearchIndex
from knowledge.text import Analyzer, load_synonyms

__all__ = [
    "Article",
    "Entry",
    "KnowledgeBase",
    "KnowledgeError",
    "LawLookup",
    "Ref",
    "SearchOutcome",
    "SearchResult",
    "Tip",
    "Verdict",
    "local_entry",
]

DATA_DIR = Path(__file__).parent / "data"


class Verdict(StrEnum):
    ANSWER = "answer"
    SUGGEST = "suggest"
    ABSTAIN = "abstain"


@dataclass(frozen=True)
class SearchResult:
    entry: Entry
    score: float  # 0..100


@dataclass(frozen=True)
class SearchOutcome:
    """Results best first; for ABSTAIN they are near misses, not answers."""

    query: str
    verdict: Verdict
    results: tuple[SearchResult, ...]
    # A remark to show with the results: the question cited a 2009 统计法 number and the answer
    # reads it so, or it cited an article that does not exist.
    note: str | None = None


class KnowledgeBase:
    """Law articles, curated Q&A and tips, with a search over them (no I/O after `load`)."""

    def __init__(
        self,
        *,
        articles: tuple[Article, ...],
        entries: tuple[Entry, ...],
        tips: tuple[Tip, ...],
        lookup: ArticleLookup,
        index: SearchIndex,
    ) -> None:
        self.articles = articles
        self.entries = entries
        self._tips = tips
        self._lookup = lookup
        self._index = index
        self._by_ref = {article.ref: article for article in articles}
        self._by_id = {entry.id: entry for entry in entries}

    @classmethod
    def load(
        cls, data_dir: Path | None = None, *, scoring: Scoring | None = None
    ) -> "KnowledgeBase":
        """Read laws/, faq/*.toml, tips.toml and the word lists from `data_dir` (default: ours).

        Raises KnowledgeError listing every problem found (file, entry id and what is wrong).
        """
        data_dir = data_dir or DATA_DIR
        laws = load_laws(data_dir / "laws")
        by_ref = {article.ref: article for article in laws.articles}
        problems: list[str] = []
        faq: list[Entry] = []
        faq_ids: list[str] = []
        for path in sorted((data_dir / "faq").glob("*.toml")):
            found, wrong, ids = parse_faq(path, by_ref.__contains__)
            faq.extend(found)
            problems.extend(wrong)
            faq_ids.extend(ids)
        tips: list[Tip] = []
        tip_ids: list[str] = []
        tips_path = data_dir / "tips.toml"
        if tips_path.exists():
            tips, wrong, tip_ids = parse_tips(tips_path, by_ref.__contains__)
            problems.extend(wrong)
        problems += check_unique(faq_ids, "问答条目")
        problems += check_unique(tip_ids, "提示")
        if problems:
            raise KnowledgeError("知识库数据有误：\n" + "\n".join(problems))
        old_to_new = laws.renumbering.old_to_new
        entries = (*faq, *(article_entry(article, old_to_new) for article in laws.articles))
        analyzer = Analyzer(load_synonyms(data_dir / "synonyms.toml"), data_dir / "userdict.txt")
        return cls(
            articles=laws.articles,
            entries=entries,
            tips=tuple(tips),
            lookup=ArticleLookup({(a.law, a.number): a for a in laws.articles}, laws.renumbering),
            index=SearchIndex(entries, analyzer, scoring),
        )

    @property
    def scoring(self) -> Scoring:
        return self._index.scoring

    @property
    def index(self) -> SearchIndex:
        return self._index

    def searchable(self, query: str) -> str:
        """The question as the index reads it: normalised, cited articles taken out."""
        text = unicodedata.normalize("NFKC", query).strip()
        return _without_mentions(text, find_mentions(text))

    def with_scoring(self, scoring: Scoring) -> "KnowledgeBase":
        """The same data searched with other weights or thresholds (for tuning and tests)."""
        return KnowledgeBase(
            articles=self.articles,
            entries=self.entries,
            tips=self._tips,
            lookup=self._lookup,
            index=SearchIndex(self.entries, self._index.analyzer, scoring),
        )

    @property
    def local_entries(self) -> tuple[Entry, ...]:
        return tuple(entry for entry in self.entries if entry.kind == "local")

    def with_local_entries(self, local: Sequence[Entry]) -> "KnowledgeBase":
        """The shipped data plus `local` entries (approved instructors' answers), replacing any
        local entries given before. Rebuilds the index: run it off the event loop."""
        if any(entry.kind != "local" for entry in local):
            raise ValueError("with_local_entries takes local entries only")
        entries = (*(e for e in self.entries if e.kind != "local"), *local)
        return KnowledgeBase(
            articles=self.articles,
            entries=entries,
            tips=self._tips,
            lookup=self._lookup,
            index=SearchIndex(entries, self._index.analyzer, self.scoring),
        )

    def search(self, query: str, amount: int = 3) -> SearchOutcome:
        """Answer a question in everyday Chinese: up to `amount` entries, best first.

        The verdict is ANSWER when the best score reaches `Scoring.answer`, SUGGEST when it
        reaches `Scoring.suggest` ("您是不是想问"), else ABSTAIN (results are then near misses).
        A cited article (统计法第四十一条, an old number included) lifts the entries citing it.
        """
        text = unicodedata.normalize("NFKC", query).strip()
        mentions = find_mentions(text)
        analysed = self._index.analyse(_without_mentions(text, mentions))
        if mentions and analysed.total == 0:
            # "统计法第四十一条" or "第四十四条说的是什么": nothing to search but the citation.
            return self._citation_only(query, mentions[0])
        cited, note = self._cited(mentions)
        # A few extra, as article entries already cited by a better result are dropped.
        ranked, evidence = self._index.assess(analysed, amount + 3, cited)
        results = _without_repeated_articles(ranked)[:amount]
        if not results:
            return SearchOutcome(query, Verdict.ABSTAIN, ())
        best = results[0].score
        scoring = self.scoring
        scope = in_scope(scoring.scope_weights, scoring.scope_bias, evidence)
        if scope < scoring.scope and not cited:
            verdict = Verdict.ABSTAIN
        elif best >= scoring.answer and not close_call(results, scoring.margin):
            verdict = Verdict.ANSWER
        elif best >= scoring.suggest:
            verdict = Verdict.SUGGEST
        else:
            verdict = Verdict.ABSTAIN
        shown = note[1] if note is not None and note[0] in results[0].entry.refs else None
        return SearchOutcome(query, verdict, tuple(results), shown)

    def _cited(self, mentions: list[Mention]) -> tuple[dict[Ref, float], tuple[Ref, str] | None]:
        """Refs a question cites, and the note to show if the 2009 reading of one wins.

        An unmarked 统计法 number is ambiguous (2009 or 2024 text): both readings are cited and
        the rest of the question decides.
        """
        cited: dict[Ref, float] = {}
        note: tuple[Ref, str] | None = None
        for mention in mentions:
            current = Ref(mention.law, mention.number)
            if current in self._by_ref and not (mention.law == STATISTICS_LAW and mention.old):
                cited[current] = 1.0
            if mention.law != STATISTICS_LAW or mention.new:
                continue
            renumbered = self._lookup.renumbered(mention.number)
            if renumbered is not None and renumbered != mention.number:
                ref = Ref(STATISTICS_LAW, renumbered)
                cited[ref] = 1.0
                note = (ref, self._lookup.renumbered_note(mention.number, renumbered))
        return cited, note

    def _citation_only(self, query: str, mention: Mention) -> SearchOutcome:
        found = self._lookup.resolve(mention.law, mention.number, old=mention.old, new=mention.new)
        if found.article is None:
            return SearchOutcome(query, Verdict.ABSTAIN, (), found.error)
        entry = self._by_id[f"{found.article.law}-{found.article.number}"]
        return SearchOutcome(query, Verdict.ANSWER, (SearchResult(entry, 100.0),), found.note)

    def lookup(self, text: str) -> LawLookup:
        """/law arguments: "统计法 第四十四条", "条例 17", "44", "统计法第四十一条" (2009)."""
        return self._lookup.lookup(text)

    def article(self, law: str, number: int) -> Article | None:
        return self._by_ref.get(Ref(law, number))

    def entry(self, entry_id: str) -> Entry | None:
        return self._by_id.get(entry_id)

    def tips(self) -> tuple[Tip, ...]:
        return self._tips

    def law_title(self, law: str) -> str:
        """The full title in 书名号: 《中华人民共和国统计法》."""
        info = LAWS_BY_STEM.get(law)
        if info is None:
            raise KeyError(law)
        return info.title


def _without_mentions(text: str, mentions: list[Mention]) -> str:
    for mention in reversed(mentions):
        text = text[: mention.start] + " " + text[mention.end :]
    return text


def close_call(results: list[SearchResult], margin: float) -> bool:
    """True if a runner-up citing other articles scores within `margin` of the best: the
    question is too vague to pick one ("台账的事情"), so the user chooses."""
    best = results[0]
    return any(
        best.score - other.score < margin and not set(best.entry.refs) & set(other.entry.refs)
        for other in results[1:]
    )


def _without_repeated_articles(ranked: list[tuple[Entry, float]]) -> list[SearchResult]:
    """Drop an entry when better-ranked answers already cite all of its articles."""
    results: list[SearchResult] = []
    cited: set[Ref] = set()
    for entry, score in ranked:
        # An entry citing only articles already shown adds no article to choose from; an
        # approved local answer cites none and always counts.
        if entry.refs and set(entry.refs) <= cited:
            continue
        cited.update(entry.refs)
        results.append(SearchResult(entry, round(score, 1)))
    return results
