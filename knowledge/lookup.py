"""Article lookup: "统计法 第四十四条", "条例 17", "44", old 2009 numbers of the 统计法."""

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from knowledge.laws import Renumbering
from knowledge.numerals import NUMERAL_CHARS, parse_chinese, to_chinese
from knowledge.refs import LAWS, LAWS_BY_STEM, POLICY, POLICY_SECTIONS, STATISTICS_LAW, Article

USAGE_ERROR = "无法识别条文，请输入如：/law 统计法 第四十四条、/law 条例 17 或 /law 44"

# The 2009 统计法's penalty articles 第四十一条 (拒报、虚报) and 第四十二条 (迟报、无台账) are
# what old decisions, the 2017 实施条例 and local guides keep quoting, while the current
# 第四十一条/第四十二条 concern government statistics offices, which enterprise statisticians
# hardly ever look up. So for these two numbers, and only these, the old reading comes first.
_USUALLY_OLD = frozenset({41, 42})

_OLD_MARKERS = ("2009", "09版", "旧", "老", "原", "修正前", "修改前", "修订前")
_NEW_MARKERS = ("2024", "现行", "新", "修正后", "修改后")

# Aliases longest first so that 浙江条例 wins over 条例 and 统计法实施条例 over 统计法.
_ALIASES: tuple[tuple[str, str], ...] = tuple(
    sorted(
        ((alias, law.stem) for law in LAWS for alias in law.aliases),
        key=lambda pair: -len(pair[0]),
    )
)
_NUMBER = rf"第?\s*([0-9{NUMERAL_CHARS}]+)\s*条?"
_SECTION = re.compile(r"([一二三四])[（(]([一二三四])[）)]|([一二])、?|末段")


@dataclass(frozen=True)
class LawLookup:
    """The article found (or None with `error`), and a note on 2009/2024 numbering."""

    article: Article | None
    note: str | None = None
    error: str | None = None


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).strip()
    if text.startswith("/law"):
        text = text[4:]
    # Words around the citation that say nothing about which article (原文 is not 原 = old).
    return re.sub(
        r"[《》〈〉<>\"“”?？。，,]|中华人民共和国|原文|全文|条文|内容|是什么|说的啥|说了啥|查看|查",
        "",
        text,
    ).strip()


def split_law(text: str) -> tuple[str | None, str]:
    """("统计法实施条例", "17") from "条例 17"; no law named gives (None, text)."""
    for alias, stem in _ALIASES:
        if text.startswith(alias):
            return stem, text[len(alias) :].strip()
    return None, text


def _policy_section(rest: str) -> int | None:
    compact = re.sub(r"\s+", "", rest).replace("(", "（").replace(")", "）")
    for number, label in enumerate(POLICY_SECTIONS, start=1):
        if compact in (label, f"{label}、"):
            return number
    return None


def _marker(text: str, markers: tuple[str, ...]) -> bool:
    return any(marker in text for marker in markers)


class ArticleLookup:
    """Resolves what users type after /law against the loaded articles."""

    def __init__(self, articles: Mapping[tuple[str, int], Article], renumbering: Renumbering):
        self._articles = articles
        self._renumbering = renumbering
        self._counts: dict[str, int] = {}
        for law, number in articles:
            self._counts[law] = max(self._counts.get(law, 0), number)

    def lookup(self, text: str) -> LawLookup:
        cleaned = _clean(text)
        old, new = _marker(cleaned, _OLD_MARKERS), _marker(cleaned, _NEW_MARKERS)
        for marker in (*_OLD_MARKERS, *_NEW_MARKERS, "文本", "版本", "版", "年", "的"):
            cleaned = cleaned.replace(marker, " ")
        law, rest = split_law(cleaned.strip())
        if law is None and not rest:
            return LawLookup(None, error=USAGE_ERROR)
        if law is not None and not rest:
            name = LAWS_BY_STEM[law].aliases[-1 if law == POLICY else 0]
            return LawLookup(None, error=f"请同时输入条文序号，例如：/law {name} 1")
        if law == POLICY:
            section = _policy_section(rest)
            if section is not None:
                return LawLookup(self._articles[(POLICY, section)])
        match = re.fullmatch(_NUMBER, rest)
        number = parse_chinese(match.group(1)) if match else None
        if number is None:
            return LawLookup(None, error=USAGE_ERROR)
        return self.resolve(law or STATISTICS_LAW, number, old=old, new=new)

    def resolve(self, law: str, number: int, *, old: bool = False, new: bool = False) -> LawLookup:
        """The article `number` of `law`, reading 统计法 numbers as 2009 ones where asked/likely."""
        if law != STATISTICS_LAW:
            return self._current(law, number)
        mapped = self._renumbering.old_to_new.get(number)
        if old or (number in _USUALLY_OLD and not new):
            if mapped is None:
                count = len(self._renumbering.old_to_new)
                return LawLookup(
                    None, error=f"2009年文本的《统计法》共{count}条，没有第{to_chinese(number)}条。"
                )
            note = self.renumbered_note(number, mapped)
            if not old and number in _USUALLY_OLD:
                note += f"如要查看现行第{to_chinese(number)}条，请发送：/law 统计法 现行{number}"
            return LawLookup(self._articles[(law, mapped)], note=note)
        found = self._current(law, number)
        if found.article is not None and mapped is not None and mapped != number and not new:
            return LawLookup(
                found.article,
                note=(
                    f"这是2024年修正后的现行第{to_chinese(number)}条；2009年文本的"
                    f"第{to_chinese(number)}条现为第{to_chinese(mapped)}条"
                    f"（发送 /law 统计法 旧{number} 查看）。"
                ),
            )
        return found

    def renumbered(self, old: int) -> int | None:
        """The current number of the 2009 统计法's article `old`."""
        return self._renumbering.old_to_new.get(old)

    def renumbered_note(self, old: int, new: int) -> str:
        note = (
            f"您输入的是2009年文本的条文序号（第{to_chinese(old)}条），"
            f"2024年修正后为第{to_chinese(new)}条。"
        )
        if new in self._renumbering.amended:
            note += "2024年修正时内容有修改，以下是现行条文。"
        return note

    def _current(self, law: str, number: int) -> LawLookup:
        article = self._articles.get((law, number))
        if article is not None:
            return LawLookup(article)
        title = LAWS_BY_STEM[law].short_title
        count = self._counts.get(law, 0)
        if law == POLICY:
            return LawLookup(
                None,
                error=f"{title}按部分编号为1至{count}（如 /law 指导意见 6），没有第{number}部分。",
            )
        if law == "统计违法违纪行为处分规定":
            return LawLookup(
                None,
                error=f"{title}只收录了第一条至第{to_chinese(count)}条，"
                f"没有第{to_chinese(number)}条的原文。",
            )
        return LawLookup(None, error=f"{title}共{count}条，没有第{to_chinese(number)}条。")


@dataclass(frozen=True)
class Mention:
    """A citation such as 统计法第四十一条 inside a question (offsets in the NFKC text)."""

    start: int
    end: int
    law: str
    number: int
    old: bool
    new: bool


# In free text the one-character alias 法 would match 办法第三条, so it is left out; a bare
# 第X条 means the 统计法, as with /law 44.
_MENTION = re.compile(
    r"(?P<marker>2009年?|2024年?|旧|老|原|新|现行)?"
    r"(?:《?(?P<alias>"
    + "|".join(re.escape(alias) for alias, _ in _ALIASES if len(alias) > 1)
    + rf")》?)?\s*的?\s*第\s*(?P<number>[0-9{NUMERAL_CHARS}]+)\s*条"
)
_ALIAS_STEM = dict(_ALIASES)


def find_mentions(text: str) -> list[Mention]:
    """Every law-article citation in `text` (already NFKC-normalised)."""
    found = []
    for match in _MENTION.finditer(text):
        number = parse_chinese(match.group("number"))
        if number is None:
            continue
        marker = match.group("marker") or ""
        alias = match.group("alias")
        found.append(
            Mention(
                start=match.start(),
                end=match.end(),
                law=_ALIAS_STEM[alias] if alias else STATISTICS_LAW,
                number=number,
                old=marker in ("2009", "2009年", "旧", "老", "原"),
                new=marker in ("2024", "2024年", "新", "现行"),
            )
        )
    return found
