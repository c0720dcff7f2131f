"""Text analysis shared by the index and the queries: normalise, fix typos, segment, map synonyms.

Both sides go through the same `Analyzer`, so a colloquial query (台帐, 统记局, 穿小鞋) and the
formal law text (统计台账, 统计机构, 打击报复) meet on the same canonical tokens.
"""

import functools
import logging
import math
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jieba

from knowledge.errors import KnowledgeError

# Anything that is not a letter, a digit or a CJK character separates words.
_SEPARATORS = re.compile(r"[^\w\u4e00-\u9fff]+|_")
# jieba's own block patterns (jieba/__init__.py: re_han_default, re_skip_default, re_eng).
_HAN = re.compile("([\u4e00-\u9fd5a-zA-Z0-9+#&\\._%\\-]+)")
_SKIP = re.compile(r"(\r\n|\s)")
_ALNUM = re.compile("[a-zA-Z0-9]")


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

    @property
    def words(self) -> set[str]:
        """Every variant and canonical term: each must come out of segmentation whole."""
        found = set(self.canonical)
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
    return Synonyms(tuple(typos), canonical, frozenset(kept), stopwords)


class Analyzer:
    """Turns text into search tokens with a private jieba tokenizer and the domain word lists."""

    def __init__(self, synonyms: Synonyms, userdict: Path) -> None:
        # jieba logs "Building prefix dict…" at INFO; the cache it writes goes to the temp dir.
        jieba.setLogLevel(logging.WARNING)
        self.synonyms = synonyms
        self._tokenizer = jieba.Tokenizer()
        try:
            with userdict.open("rb") as words:
                self._tokenizer.load_userdict(words)
        except (OSError, ValueError) as exc:
            raise KnowledgeError(f"无法读取分词词典 {userdict}：{exc}") from exc
        for word in sorted(synonyms.words):
            # jieba's suggested frequency keeps a word whole on its own, but in a sentence the
            # word often loses to a split (还不报 -> 还/不/报); a common word's weight wins.
            frequency = self._tokenizer.FREQ.get(word, 0)
            if frequency < WORD_FREQUENCY:
                self._tokenizer.add_word(word, max(WORD_FREQUENCY, frequency))
        self._typo = (
            re.compile("|".join(re.escape(wrong) for wrong, _ in synonyms.typos))
            if synonyms.typos
            else None
        )
        self._typo_fix = dict(synonyms.typos)
        self._log_total = math.log(self._tokenizer.total)
        # Bounded: users keep typing new words into a long-running bot.
        self._expand = functools.lru_cache(maxsize=1 << 16)(self._expand_uncached)

    def clean(self, text: str) -> str:
        """Normalised text with typos fixed: what the character-level scorer compares."""
        text = normalise(text)
        if self._typo is not None:
            text = self._typo.sub(lambda match: self._typo_fix[match.group(0)], text)
        return text

    def cut(self, text: str) -> list[str]:
        """jieba's `lcut(text, HMM=False)`, word for word, in half the time.

        jieba computes a DAG of dictionary words and then the most probable route over it in
        two passes with generators; one fused pass over plain lists does the same arithmetic
        (same tie-breaking) and makes indexing 10,000 entries affordable. A test checks that
        the output equals jieba's on all the shipped texts.
        """
        words: list[str] = []
        for block in _HAN.split(text):
            if not block:
                continue
            if _HAN.match(block):
                words += self._cut_block(block)
            else:
                for part in _SKIP.split(block):
                    if _SKIP.match(part):
                        words.append(part)
                    else:
                        words.extend(part)
        return words

    def _cut_block(self, block: str) -> list[str]:
        frequency_of = self._tokenizer.FREQ.get
        log = math.log
        log_total = self._log_total
        size = len(block)
        score = [0.0] * (size + 1)
        end = [0] * (size + 1)
        for start in range(size - 1, -1, -1):
            best: float | None = None
            best_end = start
            stop = start
            fragment = block[start]
            # Every prefix of a dictionary word is in FREQ (with frequency 0 if not a word).
            while (frequency := frequency_of(fragment)) is not None:
                if frequency:
                    candidate = log(frequency) - log_total + score[stop + 1]
                    if best is None or candidate >= best:  # ties go to the longer word
                        best, best_end = candidate, stop
                stop += 1
                if stop == size:
                    break
                fragment = block[start : stop + 1]
            if best is None:
                best = log(frequency_of(block[start]) or 1) - log_total + score[start + 1]
            score[start], end[start] = best, best_end
        words: list[str] = []
        letters = ""
        position = 0
        while position < size:
            word = block[position : end[position] + 1]
            position = end[position] + 1
            # Runs of single letters and digits become one word, as in jieba.
            if len(word) == 1 and _ALNUM.match(word):
                letters += word
                continue
            if letters:
                words.append(letters)
                letters = ""
            words.append(word)
        if letters:
            words.append(letters)
        return words

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
