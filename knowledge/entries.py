"""Searchable entries (curated Q&A and the articles themselves) and tips, loaded and checked."""

import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

from knowledge.errors import KnowledgeError
from knowledge.numerals import NUMERAL_CHARS, parse_chinese, to_chinese
from knowledge.refs import LAWS_BY_STEM, POLICY, POLICY_SECTIONS, STATISTICS_LAW, Article, Ref

MAX_ANSWER_CHARS = 500
MIN_ALTERNATIVES = 2
_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_ENTRY_KEYS = {"id", "question", "alternatives", "answer", "refs", "topic"}
_TIP_KEYS = {"id", "text", "refs"}


@dataclass(frozen=True)
class Entry:
    """One answer the search can return: a curated Q&A ("faq"), a law article ("article"), or
    an instructor's answer approved by an admin ("local": no refs, never a legal citation)."""

    id: str
    title: str
    alternatives: tuple[str, ...]
    answer: str
    refs: tuple[Ref, ...]
    topic: str | None
    kind: Literal["faq", "article", "local"]
    # "local" entries only: the day an admin approved the answer (shown instead of citations).
    approved_on: date | None = None
    # "article" entries only: the texts searched one by one (the article, each 款 and 项).
    passages: tuple[str, ...] = ()


@dataclass(frozen=True)
class Tip:
    """A short piece of advice with the articles it rests on."""

    id: str
    text: str
    refs: tuple[Ref, ...]


def article_entry(article: Article, renumbered: Mapping[int, int] | None = None) -> Entry:
    """The article as an entry of its own (id 统计法-44), labelled as the text of the law.

    `renumbered` (2009 -> 2024 统计法 numbers) annotates the old numbers that the other texts
    cite, so that no answer shows a 2009 number as if it were current.
    """
    if article.law == POLICY:
        name = f"网格智治指导意见{POLICY_SECTIONS[article.number - 1]}"
        kind = "文件原文"
    else:
        name = f"{article.law}第{to_chinese(article.number)}条"
        kind = "法律条文原文"
    text = gist = article.text
    if renumbered and article.law != STATISTICS_LAW:
        text = annotate_old_numbers(article.text, renumbered)
        gist = annotate_old_numbers(article.text, renumbered, short=True)
    return Entry(
        id=f"{article.law}-{article.number}",
        title=f"{name}（{kind}）：{_gist(gist)}",
        alternatives=(),
        answer=f"以下是{kind}（{ARTICLE_NOTICE}）：\n{article.label}\n{text}",
        refs=(article.ref,),
        topic=article.chapter,
        kind="article",
        passages=passages(article),
    )


# Users must see that this is the text's own wording, not an answer written for their case.
ARTICLE_NOTICE = "不是针对您的问题整理的解答，请对照原文理解"

_LEAD = re.compile(rf"^第[{NUMERAL_CHARS}]+条\s*")
_ITEM = re.compile(rf"^[（(][{NUMERAL_CHARS}]+[）)]")
_CHAPTER = re.compile(rf"^第[{NUMERAL_CHARS}]+章\s*")
_NUMBER = re.compile(rf"第([{NUMERAL_CHARS}]+)条")
_CITED = re.compile(rf"统计法(?:[、和]?第[{NUMERAL_CHARS}]+条(?:第[{NUMERAL_CHARS}]+[款项])*)+")


def _gist(text: str) -> str:
    """The article's first words, so that a suggestion button says what it is about."""
    body = _LEAD.sub("", text.split("\n", 1)[0])
    return body if len(body) <= 24 else body[:24] + "…"


def passages(article: Article) -> tuple[str, ...]:
    """The whole article, then each 款 and each 项 (with the sentence that introduces it),
    each with the law's and the chapter's names (浙江的条例里…, 处分规定管不管…); article
    numbers left out, as a question that quotes one is answered by citation instead."""
    name = LAWS_BY_STEM[article.law].short_title.strip("《》")
    if article.law == POLICY:
        name = "网格智治指导意见"
    chapter = name + " " + _CHAPTER.sub("", article.chapter or "")
    lines = [_LEAD.sub("", line) for line in article.text.split("\n")]
    found = [f"{chapter}\n" + "\n".join(lines)]
    if len(lines) == 1:
        return tuple(found)
    lead = ""
    for line in lines:
        if _ITEM.match(line):
            found.append(f"{chapter}\n{lead}{line}")
        else:
            lead = line if line.endswith("：") else ""
            found.append(f"{chapter}\n{line}")
    return tuple(found)


def annotate_old_numbers(text: str, renumbered: Mapping[int, int], *, short: bool = False) -> str:
    """统计法第四十一条第二款 -> 统计法第四十一条第二款（2009年文本的条文序号，现行统计法为
    第四十四条）; a run such as 统计法第三十八条第一款、第三十九条第一款 gets one note naming
    both. `short` replaces the old numbers instead: 统计法（现行第四十四条）."""

    def note(match: re.Match[str]) -> str:
        olds = [parse_chinese(number) for number in _NUMBER.findall(match.group(0))]
        news = [renumbered.get(old) for old in olds if old is not None]
        if not news or None in news or news == olds:
            return match.group(0)
        current = "、".join(f"第{to_chinese(new)}条" for new in news if new is not None)
        if short:
            return f"统计法（现行{current}）"
        return f"{match.group(0)}（2009年文本的条文序号，现行统计法为{current}）"

    return _CITED.sub(note, text)


def local_entry(*, key: str, question: str, answer: str, approved_on: date) -> Entry:
    """An approved instructor's answer as a searchable entry: id local-<key>, no refs."""
    return Entry(
        id=f"local-{key}",
        title=question,
        alternatives=(),
        answer=answer,
        refs=(),
        topic=None,
        kind="local",
        approved_on=approved_on,
    )


class _Problems:
    """Collects every problem in a file so that one run reports them all."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.found: list[str] = []
        self.ids: list[str] = []  # every id in the file, valid entry or not

    def add(self, where: str, message: str) -> None:
        self.found.append(f"{self.path.name} {where}：{message}")


def _text(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _refs(
    value: Any, where: str, problems: _Problems, exists: Callable[[Ref], bool]
) -> tuple[Ref, ...]:
    if not isinstance(value, list) or not value:
        problems.add(where, 'refs 至少要有一条引用，如 [{ law = "统计法", article = 44 }]')
        return ()
    refs: list[Ref] = []
    for item in value:
        law = item.get("law") if isinstance(item, dict) else None
        number = item.get("article") if isinstance(item, dict) else None
        if not isinstance(item, dict) or set(item) != {"law", "article"}:
            problems.add(where, f'引用 {item!r} 应为 {{ law = "…", article = 整数 }}')
        elif law not in LAWS_BY_STEM:
            problems.add(where, f"引用了未知的法律 {law!r}；可用：{'、'.join(LAWS_BY_STEM)}")
        elif not isinstance(number, int) or isinstance(number, bool):
            problems.add(where, f"{law} 的 article 应为现行条文序号（整数），而不是 {number!r}")
        elif not exists(Ref(law, number)):
            problems.add(where, f"引用了不存在的条文：{law} 第{number}条")
        else:
            refs.append(Ref(law, number))
    if len(set(refs)) != len(refs):
        problems.add(where, "refs 中有重复的引用")
    return tuple(refs)


def _tables(path: Path, key: str) -> list[Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise KnowledgeError(f"无法读取 {path}：{exc}") from exc
    tables = data.get(key, [])
    unknown = set(data) - {key}
    if unknown or not isinstance(tables, list):
        raise KnowledgeError(f"{path.name}：只能包含 [[{key}]] 表，发现 {sorted(unknown) or key}")
    return tables


def parse_faq(
    path: Path, exists: Callable[[Ref], bool]
) -> tuple[list[Entry], list[str], list[str]]:
    """The entries of one FAQ file, the problems found in it (none if valid) and all its ids."""
    problems = _Problems(path)
    entries: list[Entry] = []
    for number, table in enumerate(_tables(path, "entry"), start=1):
        ident = table.get("id") if isinstance(table, dict) else None
        where = f"条目 {ident}" if isinstance(ident, str) else f"第{number}个条目"
        if isinstance(ident, str):
            problems.ids.append(ident)
        if not isinstance(table, dict):
            problems.add(where, "应为 [[entry]] 表")
            continue
        if set(table) - _ENTRY_KEYS:
            problems.add(where, f"未知的字段 {sorted(set(table) - _ENTRY_KEYS)}")
        if not isinstance(ident, str) or not _ID.fullmatch(ident):
            problems.add(where, "id 应为小写英文、数字和连字符（如 report-refuse-fine）")
        question, answer = _text(table.get("question")), _text(table.get("answer"))
        if question is None:
            problems.add(where, "缺少 question")
        if answer is None:
            problems.add(where, "缺少 answer")
        elif len(answer) >= MAX_ANSWER_CHARS:
            problems.add(where, f"answer 有{len(answer)}字，应少于{MAX_ANSWER_CHARS}字")
        raw_alternatives = table.get("alternatives")
        alternatives = tuple(
            text for text in map(_text, raw_alternatives or []) if text is not None
        )
        if (
            not isinstance(raw_alternatives, list)
            or len(alternatives) != len(raw_alternatives)
            or len(alternatives) < MIN_ALTERNATIVES
        ):
            problems.add(where, f"alternatives 应为至少{MIN_ALTERNATIVES}个非空问法")
        topic = table.get("topic")
        if topic is not None and _text(topic) is None:
            problems.add(where, "topic 应为非空文字")
        refs = _refs(table.get("refs"), where, problems, exists)
        if isinstance(ident, str) and question and answer and refs:
            entries.append(
                Entry(ident, question, alternatives, answer, refs, _text(topic), kind="faq")
            )
    return entries, problems.found, problems.ids


def parse_tips(path: Path, exists: Callable[[Ref], bool]) -> tuple[list[Tip], list[str], list[str]]:
    """The tips of `tips.toml`, the problems found in it and all its ids."""
    problems = _Problems(path)
    tips: list[Tip] = []
    for number, table in enumerate(_tables(path, "tip"), start=1):
        ident = table.get("id") if isinstance(table, dict) else None
        where = f"提示 {ident}" if isinstance(ident, str) else f"第{number}个提示"
        if isinstance(ident, str):
            problems.ids.append(ident)
        if not isinstance(table, dict):
            problems.add(where, "应为 [[tip]] 表")
            continue
        if set(table) - _TIP_KEYS:
            problems.add(where, f"未知的字段 {sorted(set(table) - _TIP_KEYS)}")
        if not isinstance(ident, str) or not _ID.fullmatch(ident):
            problems.add(where, "id 应为小写英文、数字和连字符")
        text = _text(table.get("text"))
        if text is None:
            problems.add(where, "缺少 text")
        refs = _refs(table.get("refs"), where, problems, exists)
        if isinstance(ident, str) and text and refs:
            tips.append(Tip(ident, text, refs))
    return tips, problems.found, problems.ids


def check_unique(ids: Iterable[str], what: str) -> list[str]:
    seen: set[str] = set()
    repeated = []
    for ident in ids:
        if ident in seen:
            repeated.append(f"{what} id 重复：{ident}")
        seen.add(ident)
    return repeated
