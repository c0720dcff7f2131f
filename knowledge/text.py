"""Text analysis shared by the index and the queries: normalise, fix typos, segment, map synonyms.

Both sides go through the same `Analyzer`, so a colloquial query (台帐, 统记局, 穿小鞋) and the
formal law text (统计台账, 统计机构, 打击报复) meet on the same canonical tokens.
"""

import functools
import logging
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jieba
import rjieba

from knowledge.errors import KnowledgeError

# Anything that is not a letter, a digit or a CJK character separates words.
_SEPARATORS = re.compile(r"[^\w\u4e00-\u9fff]+|_")


# The frequency of each synonym-list word in jieba's dictionary (comparable to 统计, 报表).
WORD_FREQUENCY = 1000


def normalise(text: str) -> str:
    """Full-width to half-width, lower case, punctuation and runs of spaces to one space."""
    text = unicodedata.normalize("NFKC", text).lower()
    return _SEPARATORS.sub(" ", text).strip()


@dataclass(frozen=True)
class Synonyms:
    """The reviewed word lists of `synonyms.toml`."""

    typos: tuple[tuple[str, str], ...]  # (wrong, right), longest wrong first
    canonical: dict[str, tuple[str, ...]]  # variant token -> canonical tokens
    kept: frozenset[str]  # variants that stay next to their canonical tokens
    stopwords: frozenset[str]
    # Topics the texts do not regulate (passwords, taxes, deadlines): see `outside` there.
    outside: frozenset[str] = frozenset()

    @property
    def words(self) -> set[str]:
        """Every variant and canonical term: each must come out of segmentation whole."""
        found = set(self.canonical) | self.outside
        for terms in self.canonical.values():
            found.update(terms)
        found.update(right for _, right in self.typos)
        return {word for word in found if len(word) > 1}


def _strings(value: Any, where: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise KnowledgeError(f"synonyms.toml：{where} 应为非空字符串或字符串列表")
    return [normalise(v) for v in value]


def load_synonyms(path: Path) -> Synonyms:
    """Read and check `synonyms.toml` (see the comments in that file for its shape)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise KnowledgeError(f"无法读取同义词表 {path}：{exc}") from exc
    typos_table = data.get("typos", {})
    if not isinstance(typos_table, dict):
        raise KnowledgeError("synonyms.toml：[typos] 应为“错字 = 正字”的表")
    typos = []
    for wrong, right in typos_table.items():
        if not isinstance(right, str) or not wrong or normalise(wrong) == normalise(right):
            raise KnowledgeError(f"synonyms.toml：[typos] 中 {wrong!r} 的更正无效")
        typos.append((normalise(wrong), normalise(right)))
    typos.sort(key=lambda pair: -len(pair[0]))
    canonical: dict[str, tuple[str, ...]] = {}
    kept: set[str] = set()
    for number, group in enumerate(data.get("group", []), start=1):
        where = f"第{number}个 [[group]]"
        if not isinstance(group, dict) or set(group) - {"canonical", "variants", "keep"}:
            raise KnowledgeError(f"synonyms.toml：{where} 只能有 canonical、variants、keep")
        terms = tuple(_strings(group.get("canonical"), f"{where} 的 canonical"))
        for variant in _strings(group.get("variants"), f"{where} 的 variants"):
            if variant in canonical:
                raise KnowledgeError(f"synonyms.toml：{variant!r} 出现在多个同义词组中")
            canonical[variant] = terms
            if group.get("keep", False):
                kept.add(variant)
    stopwords = frozenset(_strings(data.get("stopwords", ["的"]), "stopwords"))
    outside = frozenset(_strings(data.get("outside", ["密码"]), "outside"))
    if outside & set(canonical):
        raise KnowledgeError(
            f"synonyms.toml：{sorted(outside & set(canonical))} 既在 outside 又在同义词组中"
        )
    return Synonyms(tuple(typos), canonical, frozenset(kept), stopwords, outside)


class Analyzer:
    """Turns text into search tokens with a private jieba tokenizer and the domain word lists.

    jieba's `Tokenizer` is the dictionary (its words and frequencies, which `expand` consults);
    segmentation runs on a jieba-rs copy of the same model (`rjieba`), five times faster, which
    makes indexing 10,000 entries affordable.
    """

    def __init__(self, synonyms: Synonyms, userdict: Path) -> None:
        # jieba logs "Building prefix dict…" at INFO; the cache it writes goes to the temp dir.
        jieba.setLogLevel(logging.WARNING)
        self.synonyms = synonyms
        self._tokenizer = jieba.Tokenizer()
        self._tokenizer.check_initialized()
        frequencies = self._tokenizer.FREQ
        total = self._tokenizer.total
        original: dict[str, int] = {}  # each word we set -> its frequency in jieba's dictionary

        def add_word(word: str, frequency: int | None, tag: str | None = None) -> None:
            original.setdefault(word, frequencies.get(word, 0))
            self._tokenizer.add_word(word, frequency, tag)

        try:
            lines = userdict.read_text(encoding="utf-8-sig").splitlines()
        except (OSError, ValueError) as exc:
            raise KnowledgeError(f"无法读取分词词典 {userdict}：{exc}") from exc
        for line in filter(None, map(str.strip, lines)):
            # jieba's own user-dictionary format: word [frequency] [tag].
            word, frequency, tag = jieba.re_userdict.match(line).groups()
            add_word(word, int(frequency) if frequency else None, tag and tag.strip())
        for word in sorted(synonyms.words):
            # jieba's suggested frequency keeps a word whole on its own, but in a sentence the
            # word often loses to a split (还不报 -> 还/不/报); a common word's weight wins.
            if frequencies.get(word, 0) < WORD_FREQUENCY:
                add_word(word, WORD_FREQUENCY)
        self._segmenter = rjieba.Jieba()  # jieba's default dictionary, built in
        for word, before in original.items():
            self._segmenter.add_word(word, frequencies[word], None)
            total += frequencies[word] - before
        # jieba's add_word adds a word's new frequency to the total without taking its old one
        # off, jieba-rs replaces it: a placeholder word carries the difference, so that both
        # divide by the same total. A private-use character is never part of a block that jieba
        # segments (nor of a normalised text), so the placeholder itself is never a candidate.
        if self._tokenizer.total > total:
            self._segmenter.add_word("\ue000", self._tokenizer.total - total, None)
        self._typo = (
            re.compile("|".join(re.escape(wrong) for wrong, _ in synonyms.typos))
            if synonyms.typos
            else None
        )
        self._typo_fix = dict(synonyms.typos)
        # Bounded: users keep typing new words into a long-running bot.
        self._expand = functools.lru_cache(maxsize=1 << 16)(self._expand_uncached)

    def clean(self, text: str) -> str:
        """Normalised text with typos fixed: what the character-level scorer compares."""
        text = normalise(text)
        if self._typo is not None:
            text = self._typo.sub(lambda match: self._typo_fix[match.group(0)], text)
        return text

    def cut(self, text: str) -> list[str]:
        """The words of `text`: jieba's `lcut(text, HMM=False)` (the most probable route over
        the dictionary words), as computed by jieba-rs.

        The two agree but for routes of exactly equal probability, where rounding picks one
        (四上企业/统计员 or 四上/企业统计员); a test checks this on all the shipped texts.
        """
        return self._segmenter.cut(text, False)

    def expand(self, word: str) -> tuple[str, ...]:
        """The search tokens of one word: itself and the dictionary words inside it (jieba's
        search mode), each mapped to its canonical terms; () for a stopword.

        统计调查对象 -> (统计调查对象, 统计, 调查, 查对, 对象): a query word also matches a
        text that has only a part of it. Cached: words repeat, texts do not.
        """
        return self._expand(word)

    def _expand_uncached(self, word: str) -> tuple[str, ...]:
        synonyms = self.synonyms
        if not word.strip() or (word in synonyms.stopwords and word not in synonyms.canonical):
            return ()
        frequencies = self._tokenizer.FREQ
        parts = [word]
        for size in (2, 3):
            if len(word) > size:
                parts += [
                    word[i : i + size]
                    for i in range(len(word) - size + 1)
                    if frequencies.get(word[i : i + size])
                ]
        terms: list[str] = []
        for part in parts:
            mapped = synonyms.canonical.get(part)
            if mapped is None:
                if part not in synonyms.stopwords:
                    terms.append(part)
            else:
                terms += (part, *mapped) if part in synonyms.kept else mapped
        return tuple(terms)

    def analyse(self, text: str) -> tuple[list[frozenset[str]], list[str]]:
        """`groups` and `tokens` of `text` from one segmentation."""
        groups: list[frozenset[str]] = []
        tokens: list[str] = []
        seen: set[frozenset[str]] = set()
        for word in self.cut(self.clean(text)):
            terms = self._expand(word)
            if not terms:
                continue
            tokens += terms
            group = frozenset(terms)
            if group not in seen:
                seen.add(group)
                groups.append(group)
        return groups, tokens

    def groups(self, text: str) -> list[frozenset[str]]:
        """The tokens of each word, stopwords dropped, repeated words once.

        A word's group holds its compound, its parts and their canonical terms: one concept,
        which a search weighs once however many tokens it expands to.
        """
        return self.analyse(text)[0]

    def tokens(self, text: str) -> list[str]:
        """Every token of `text` (with repeats): what the index counts."""
        tokens: list[str] = []
        for word in self.cut(self.clean(text)):
            tokens += self._expand(word)
        return tokens
