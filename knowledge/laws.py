"""Parse the law texts, the policy's sections and the 2009->2024 article-number table."""

import re
from dataclasses import dataclass
from pathlib import Path

from knowledge.errors import KnowledgeError
from knowledge.numerals import NUMERAL_CHARS, parse_chinese, to_chinese
from knowledge.refs import LAWS, POLICY, POLICY_SECTIONS, STATISTICS_LAW, Article

RENUMBERING_FILE = "统计法_新旧条文序号对照.md"

_ARTICLE_START = re.compile(rf"^第([{NUMERAL_CHARS}]+)条[\s　]+(.*)$")
_ITEM_START = re.compile(rf"^[（(][{NUMERAL_CHARS}]+[）)]")
_SENTENCE_END = "。；：！？…"


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _chapter_name(heading: str) -> str:
    # "第一章 总 则" -> "第一章 总则": the spaces only spread short headings out in print.
    name = re.sub(r"\s+", "", heading.lstrip("#"))
    return re.sub(r"^(第.+?章)", r"\1 ", name, count=1)


def _is_editorial(paragraph: str) -> bool:
    """A remark of the file's editor such as （第四条及以后各条缺失。）, not article text."""
    return (
        paragraph.startswith("（") and paragraph.endswith("）") and not _ITEM_START.match(paragraph)
    )


def parse_law(law: str, text: str) -> tuple[Article, ...]:
    """The articles of one law file, numbered 1..N in order; a gap or repeat is an error."""
    articles: list[Article] = []
    chapter: str | None = None
    number: int | None = None
    lines: list[str] = []

    def flush() -> None:
        if number is not None:
            articles.append(Article(law, number, chapter, "\n".join(lines)))

    for paragraph in _paragraphs(text):
        if paragraph.startswith("## "):
            flush()
            number, lines = None, []
            chapter = _chapter_name(paragraph)
            continue
        match = _ARTICLE_START.match(paragraph)
        if match:
            flush()
            number = parse_chinese(match.group(1))
            expected = len(articles) + 1
            if number != expected:
                raise KnowledgeError(
                    f"{law}.md：第{match.group(1)}条的位置应为第{to_chinese(expected)}条（条文缺失或重复）"
                )
            lines = [paragraph]
        elif (
            number is not None
            and not paragraph.startswith(("#", "-", "---"))
            and not _is_editorial(paragraph)
        ):
            lines.append(paragraph)
    flush()
    if not articles:
        raise KnowledgeError(f"{law}.md：没有找到任何以“第X条”开头的条文")
    return tuple(articles)


# The policy's section starts, in order. Headings carry irregular markup (##, ###, ####, none)
# and both full- and half-width parentheses, so they are matched on the text alone.
_POLICY_TOP = re.compile(r"^([一二三四五])、")
_POLICY_SUB = re.compile(r"^[（(]([一二三四])[）)]")
_POLICY_BODY_START = "关于推开基层统计网格智治工作的指导意见"
_POLICY_CLOSING = "本意见自"
_POLICY_TASKS, _POLICY_REQUIREMENTS = "三", "四"


def _join_broken(paragraphs: list[str]) -> list[str]:
    """Rejoin paragraphs that a page break split mid-sentence (…推进 / 统计工作规范运转…)."""
    joined: list[str] = []
    for paragraph in paragraphs:
        if (
            joined
            and joined[-1][-1] not in _SENTENCE_END
            and not _ITEM_START.match(paragraph)
            and not re.match(r"^\d+\.", paragraph)
        ):
            joined[-1] += paragraph
        else:
            joined.append(paragraph)
    return joined


def parse_policy(text: str) -> tuple[Article, ...]:
    """The policy's ten numbered sections (see `refs.POLICY_SECTIONS`)."""
    paragraphs = _paragraphs(text)
    try:
        start = next(
            i
            for i, p in enumerate(paragraphs)
            if p.startswith("# ") and p.lstrip("# ").strip() == _POLICY_BODY_START
        )
    except StopIteration:
        raise KnowledgeError(f"{POLICY}.md：找不到正文标题“{_POLICY_BODY_START}”") from None
    # (parent heading, own heading, body paragraphs) per section.
    sections: list[tuple[str | None, str | None, list[str]]] = []
    parent: str | None = None
    body: list[str] | None = None
    for raw in paragraphs[start + 1 :]:
        if raw.startswith("---"):
            break
        paragraph = raw.lstrip("#").strip()
        top = _POLICY_TOP.match(paragraph)
        sub = _POLICY_SUB.match(paragraph)
        if top and top.group(1) in (_POLICY_TASKS, _POLICY_REQUIREMENTS):
            # 三、重点任务 and 四、工作要求 only group their (一)…(四).
            parent, body = paragraph, None
        elif top or (sub and raw.startswith("#")):
            # A heading line of its own: 一、指导思想, or 三's "#### （一）构建…".
            body = []
            sections.append((None if top else parent, paragraph, body))
            if top:
                parent = None
        elif (sub and parent is not None) or paragraph.startswith(_POLICY_CLOSING):
            # 四's (一)…(三) and the closing sentence run on in one paragraph.
            body = [paragraph]
            sections.append((parent if sub else None, None, body))
        elif body is not None:
            body.append(paragraph)
    if len(sections) != len(POLICY_SECTIONS):
        raise KnowledgeError(
            f"{POLICY}.md：应解析出{len(POLICY_SECTIONS)}个部分，实际{len(sections)}个"
        )
    return tuple(
        Article(POLICY, number, chapter, "\n".join([*filter(None, [heading]), *_join_broken(body)]))
        for number, (chapter, heading, body) in enumerate(sections, start=1)
    )


@dataclass(frozen=True)
class Renumbering:
    """统计法 2009 text -> 2024 text: article numbers and whether the wording changed."""

    old_to_new: dict[int, int]
    amended: frozenset[int]  # current numbers whose text changed in 2024
    added: frozenset[int]  # current numbers with no 2009 counterpart


_TABLE_ROW = re.compile(r"^\|\s*(第\S+条|（无）)\s*\|\s*(第\S+条)\s*\|\s*([^|]*?)\s*\|")


def parse_renumbering(text: str) -> Renumbering:
    old_to_new: dict[int, int] = {}
    amended: set[int] = set()
    added: set[int] = set()
    for line in text.splitlines():
        match = _TABLE_ROW.match(line.strip())
        if not match:
            continue
        new = parse_chinese(match.group(2)[1:-1])
        if new is None:
            raise KnowledgeError(f"{RENUMBERING_FILE}：无法识别条文序号：{line}")
        if match.group(1) == "（无）":
            added.add(new)
            continue
        old = parse_chinese(match.group(1)[1:-1])
        if old is None:
            raise KnowledgeError(f"{RENUMBERING_FILE}：无法识别条文序号：{line}")
        old_to_new[old] = new
        if match.group(3) != "文字未变":
            amended.add(new)
    if not old_to_new:
        raise KnowledgeError(f"{RENUMBERING_FILE}：没有找到对照表")
    return Renumbering(old_to_new, frozenset(amended), frozenset(added))


@dataclass(frozen=True)
class LawTexts:
    articles: tuple[Article, ...]
    renumbering: Renumbering


def load_laws(laws_dir: Path) -> LawTexts:
    """Every known law and the policy from `laws_dir`; the number table is read, not indexed."""
    articles: list[Article] = []
    for law in LAWS:
        path = laws_dir / f"{law.stem}.md"
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise KnowledgeError(f"无法读取法律文本 {path}：{exc}") from exc
        articles.extend(parse_policy(text) if law.stem == POLICY else parse_law(law.stem, text))
    table = laws_dir / RENUMBERING_FILE
    try:
        renumbering = parse_renumbering(table.read_text(encoding="utf-8"))
    except OSError as exc:
        raise KnowledgeError(f"无法读取条文序号对照表 {table}：{exc}") from exc
    count = sum(1 for a in articles if a.law == STATISTICS_LAW)
    wrong = [n for n in renumbering.old_to_new.values() if not 1 <= n <= count]
    if wrong:
        raise KnowledgeError(f"{RENUMBERING_FILE}：对照到不存在的现行条文 {wrong}")
    return LawTexts(tuple(articles), renumbering)
