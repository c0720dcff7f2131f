"""Cell values: cleaning text and reading a cell as a USCC, mobile, industry, scale, role or name.

Every parser takes any text and returns a value or raises Invalid with the Chinese reason."""

import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from typing import TypeVar

from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength, ValidationError

from models.enums import Industry, Role, Scale
from services.roster_import.vocabulary import (
    GRID_SEPARATOR,
    HEADER_ALIASES,
    INDUSTRY_ALIASES,
    ROLE_ALIASES,
    ROLE_CHOICES,
    SCALE_ALIASES,
)

_MIDDLE_DOTS = re.compile("[・•‧∙⋅]")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
_SPACES = re.compile(r"\s+")
# Bidirectional overrides and isolates: they make a name display as something else.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_SCIENTIFIC = re.compile(r"[0-9](\.[0-9]+)?[eE]\+?[0-9]+")
NAME_LIMITS = {"企业名称": 200, "统计员": 50, "姓名": 50, "乡镇街道": 100}
# Excel keeps 15 significant digits: a longer number typed into a number cell has lost digits.
_EXACT_FLOAT_LIMIT = 10**15


_T = TypeVar("_T")


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def compare_key(text: str) -> str:
    """Comparison form of a word: NFKC, no whitespace."""
    return _SPACES.sub("", nfkc(text))


def clean_text(text: str) -> str:
    # str.split() also splits on the full-width space U+3000 and NBSP. Names keep their
    # full-width brackets: only whitespace is normalised here, NFKC only where codes are read.
    if not text.isprintable():
        text = text.translate(_INVISIBLE)
    return " ".join(text.split())


def control_characters(text: str) -> str | None:
    """The Chinese reason a cleaned cell is refused for control characters (NUL, escape, bidi
    overrides…), None if it has none. Tabs and line breaks are already spaces: clean_text."""
    found = [c for c in text if unicodedata.category(c) == "Cc" or c in _BIDI_CONTROLS]
    if not found:
        return None
    codes = "、".join(dict.fromkeys(f"U+{ord(c):04X}" for c in found))
    return f"含有不可见的控制字符（{codes}），请删除后重新导入"


def visible(text: str) -> str:
    """`text` with its control characters written as [U+0000], for the error report."""
    return "".join(
        f"[U+{ord(c):04X}]" if unicodedata.category(c) == "Cc" or c in _BIDI_CONTROLS else c
        for c in text
    )


def clean_cell(value: object) -> tuple[str, bool]:
    """Cell text, and whether it is a number Excel rounded."""
    if value is None:
        return "", False
    if isinstance(value, bool):
        return str(value), False
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value)), abs(value) >= _EXACT_FLOAT_LIMIT
        return repr(value), False
    if isinstance(value, int):
        return str(value), False
    if isinstance(value, datetime | date | time):
        return value.isoformat(), False
    return clean_text(str(value)), False


def canonical_header(text: str) -> str:
    key = compare_key(text).rstrip("*")
    for marker in ("(必填)", "(选填)"):
        key = key.removesuffix(marker)
    return HEADER_ALIASES.get(key, key)


class Invalid(Exception):
    """A cell value is unusable; the message is the Chinese reason."""


def parse_uscc(text: str, rounded: bool) -> str:
    if rounded or _SCIENTIFIC.fullmatch(text):
        raise Invalid(
            "被 Excel 当成数字保存，15 位以后的数字已丢失；请把该列设为「文本」格式后重新填写"
        )
    code = re.sub(r"[\s-]", "", nfkc(text)).upper()
    try:
        return str(stdnum_uscc.validate(code))
    except InvalidLength as exc:
        raise Invalid(f"长度错误：应为 18 位，实际为 {len(code)} 位") from exc
    except InvalidFormat as exc:
        raise Invalid(
            "格式错误：前 8 位应为数字，后 10 位只能是数字或大写字母（不含 I、O、S、V、Z）"
        ) from exc
    except InvalidChecksum as exc:
        raise Invalid("校验位错误：最后一位与前 17 位对不上，请核对是否抄错") from exc
    except ValidationError as exc:
        raise Invalid("不是有效的统一社会信用代码") from exc


def parse_mobile(text: str) -> str:
    number = nfkc(text).strip()
    # A mobile that went through a number cell or a float column comes back as 13812345678.0.
    if re.fullmatch(r"\+?[0-9]+\.0+", number):
        number = number.split(".")[0]
    number = re.sub(r"[\s()\-]", "", number)
    if number.startswith("+86"):
        number = number[3:]
    elif number.startswith("0086"):
        number = number[4:]
    elif len(number) == 13 and number.startswith("86"):
        number = number[2:]
    if not number.isascii() or not number.isdigit():
        raise Invalid("手机号只能包含数字")
    if len(number) != 11:
        raise Invalid(f"手机号应为 11 位，实际为 {len(number)} 位")
    if not _MOBILE.fullmatch(number):
        raise Invalid("不是大陆手机号：应以 13–19 开头")
    return number


def normalise_mobile(text: str) -> str | None:
    """The 11-digit mainland mobile in `text` (+86, spaces, dashes, full-width digits and a
    trailing .0 accepted), or None if it is not one."""
    try:
        return parse_mobile(clean_text(text))
    except Invalid:
        return None


def parse_choice(text: str, table: Mapping[str, _T], what: str, choices: Iterable[str]) -> _T:
    found = table.get(compare_key(text))
    if found is None:
        raise Invalid(f"无法识别的{what}，应为 {'、'.join(choices)} 之一")
    return found


def parse_industry(text: str) -> Industry:
    return parse_choice(text, INDUSTRY_ALIASES, "行业", Industry)


def parse_scale(text: str) -> Scale:
    return parse_choice(text, SCALE_ALIASES, "规模", Scale)


def parse_role(text: str) -> Role:
    if compare_key(text) == Role.MEMBER.value:
        raise Invalid(
            "「网格员」不在人员表中登记：网格员就是企业的统计员，"
            "请在企业表的「统计员」「统计员手机」两列填写"
        )
    return parse_choice(text, ROLE_ALIASES, "角色", ROLE_CHOICES)


def person_name(text: str) -> str:
    # Chinese names have no spaces ("张 三" is a typing slip); Latin names keep single spaces.
    return text if re.search("[A-Za-z]", text) else _SPACES.sub("", text)


def town_name(text: str) -> str:
    return _SPACES.sub("", text)


def grid_key(text: str) -> str:
    return _MIDDLE_DOTS.sub(GRID_SEPARATOR, compare_key(text))


_DATE_FORMS = (
    # 2026-03-01, 2026/3/1, 2026.3.1, and the ISO text of an Excel date cell (…T00:00:00).
    re.compile(
        r"(\d{4}) ?[-/.] ?(\d{1,2}) ?[-/.] ?(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
    ),
    re.compile(r"(\d{4}) ?年 ?(\d{1,2}) ?月 ?(\d{1,2}) ?日?"),
    re.compile(r"(\d{4})(\d{2})(\d{2})"),
)
# Excel's day 0 in the 1900 date system (day 60 is its phantom 29 February 1900).
_EXCEL_EPOCH = date(1899, 12, 30)
EARLIEST_DATE, LATEST_DATE = date(1990, 1, 1), date(2100, 12, 31)
DATE_EXAMPLES = "2026-03-01、2026/3/1 或 2026年3月1日"


def parse_date(text: str) -> date:
    """A roster date: an Excel date cell, 2026-03-01, 2026/3/1, 2026年3月1日, 20260301, or an
    Excel serial day number (a date cell saved as a number, e.g. 46082)."""
    key = _SPACES.sub(" ", nfkc(text)).strip()
    if re.fullmatch(r"\d{5}(\.0+)?", key):
        found = _EXCEL_EPOCH + timedelta(days=int(key.split(".")[0]))
    else:
        match = next((m for form in _DATE_FORMS if (m := form.fullmatch(key))), None)
        if match is None:
            raise Invalid(f"无法识别的日期，请写成 {DATE_EXAMPLES}")
        year, month, day = (int(part) for part in match.groups())
        try:
            found = date(year, month, day)
        except ValueError as exc:
            raise Invalid(f"日期不存在：{year}年{month}月{day}日") from exc
    if not EARLIEST_DATE <= found <= LATEST_DATE:
        raise Invalid(
            f"日期 {found.isoformat()} 超出范围：应在 {EARLIEST_DATE.year} 年至 "
            f"{LATEST_DATE.year} 年之间"
        )
    return found
