"""Chinese numerals both ways, and article numbers written as 第四十四条, 第44条, 四十四 or 44."""

import re
import unicodedata

DIGITS = "零一二三四五六七八九"
_DIGIT_VALUES = {char: value for value, char in enumerate(DIGITS)} | {"〇": 0, "两": 2}
_UNIT_VALUES = {"十": 10, "百": 100, "千": 1000}
# The largest number `parse_chinese` reads and `to_chinese` writes. A user may type any number
# (第10000条, a hundred nines); beyond this it is no numeral of ours, and a refusal.
LARGEST = 99_999_999

# Numerals as they appear in article numbers; 千 is far beyond any law here but harmless.
NUMERAL_CHARS = "零〇一二两三四五六七八九十百千"
ARTICLE_PATTERN = rf"第\s*([0-9{NUMERAL_CHARS}]+)\s*条"
_ARTICLE = re.compile(ARTICLE_PATTERN)
_BARE_NUMBER = re.compile(rf"[0-9{NUMERAL_CHARS}]+")


def to_chinese(number: int) -> str:
    """44 -> 四十四, 10 -> 十, 105 -> 一百零五, 10000 -> 一万 (1 to `LARGEST`)."""
    if not 0 < number <= LARGEST:
        raise ValueError(f"out of range: {number}")
    if number >= 10_000:
        high, low = divmod(number, 10_000)
        head = _below_ten_thousand(high) + "万"
        if not low:
            return head
        # 一万零五, 一万零五百; but 一万五千 (no gap before the thousands).
        return head + ("零" if low < 1000 else "") + _below_ten_thousand(low, leading=False)
    return _below_ten_thousand(number)


def _below_ten_thousand(number: int, *, leading: bool = True) -> str:
    parts: list[str] = []
    pending_zero = False
    for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = number // unit % 10
        if digit == 0:
            pending_zero = bool(parts)
            continue
        if pending_zero:
            parts.append("零")
            pending_zero = False
        parts.append(DIGITS[digit] + name)
    text = "".join(parts)
    # Below twenty the leading 一 of 一十 is dropped in ordinary writing: 十四, not 一十四; after
    # 万 it stays (一万零一十).
    return text[1:] if leading and text.startswith("一十") else text


def parse_chinese(text: str) -> int | None:
    """四十四 -> 44, 十 -> 10, 一百零五 -> 105, 两百 -> 200; also plain digits (ASCII or
    full-width). None if invalid, zero or above `LARGEST`."""
    text = unicodedata.normalize("NFKC", text).strip()
    if not text:
        return None
    if text.isascii() and text.isdigit():
        # Compared as text first: int() refuses strings of more than 4300 digits.
        digits = text.lstrip("0")
        if not digits or len(digits) > len(str(LARGEST)):
            return None
        return int(digits)
    total = 0
    digit: int | None = None
    last_unit = 10_000
    for char in text:
        if char in "零〇":
            # 零 only fills a gap after a unit (一百零五); 四〇 is not a numeral here.
            if digit is not None or last_unit == 10_000:
                return None
            continue
        if char in _DIGIT_VALUES:
            if digit is not None:  # two digits in a row, e.g. 四四
                return None
            digit = _DIGIT_VALUES[char]
        elif char in _UNIT_VALUES:
            unit = _UNIT_VALUES[char]
            if unit >= last_unit:
                return None
            total += (1 if digit is None else digit) * unit
            digit = None
            last_unit = unit
        else:
            return None
    if digit is not None:
        total += digit
    return total or None


def parse_article_number(text: str) -> int | None:
    """The number in 第四十四条, 第44条, 四十四 or 44; None if `text` is none of these."""
    text = unicodedata.normalize("NFKC", text).strip()
    match = _ARTICLE.fullmatch(text)
    if match:
        return parse_chinese(match.group(1))
    if _BARE_NUMBER.fullmatch(text):
        return parse_chinese(text)
    return None


def find_article_mentions(text: str) -> list[tuple[int, int, int]]:
    """Every 第X条 in (already NFKC-normalised) `text` as (start, end, number)."""
    found = []
    for match in _ARTICLE.finditer(text):
        number = parse_chinese(match.group(1))
        if number is not None:
            found.append((match.start(), match.end(), number))
    return found
