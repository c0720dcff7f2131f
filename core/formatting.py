"""Chinese formatting shared by every layer: HTML escaping, dates with 周X, clock times, hours;
Telegram's length limits, counted as Telegram counts, and cutting a message to fit them."""

import functools
import re
from collections.abc import Callable, Sequence
from datetime import date, datetime, tzinfo
from html import escape

WEEKDAYS_CN = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


def esc(value: object) -> str:
    """Escape user text for Telegram HTML."""
    text = str(value)
    # Most names and texts have nothing to escape: skip html.escape's three replaces (a sweep
    # of the duties escapes a hundred thousand names).
    if "&" in text or "<" in text or ">" in text:
        return escape(text, quote=False)
    return text


def cn_date(day: date) -> str:
    """12月3日（周四）."""
    return f"{day.month}月{day.day}日（{WEEKDAYS_CN[day.weekday()]}）"


def cn_day(moment: datetime, tz: tzinfo) -> str:
    """The local date of `moment` in `tz`, as `cn_date` writes it."""
    return cn_date(moment.astimezone(tz).date())


def month_day(moment: datetime, tz: tzinfo) -> str:
    """12月3日, without the weekday (in lists where space is short)."""
    local = moment.astimezone(tz)
    return f"{local.month}月{local.day}日"


def clock(moment: datetime, tz: tzinfo) -> str:
    """14:05 in `tz`."""
    return moment.astimezone(tz).strftime("%H:%M")


@functools.lru_cache(maxsize=1024)
def fmt_hours(hours: float) -> str:
    """6 or 1.5: hours come in steps of 0.5 (cached: a sweep formats the same few values for a
    hundred thousand members)."""
    return f"{hours:g}"


# --- Telegram's length limits -----------------------------------------------------------------

# Telegram's limits on a message's text and on a photo's or document's caption, counted in UTF-16
# code units of the text after HTML entity parsing (tags removed, &amp; etc. decoded).
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
# Where a rendered message was cut to fit.
TRUNCATED_MARK = "…（全文见附件/详情）"

# A tag, an entity (tdlib also decodes one without its ";"), or one character.
_HTML_TOKEN_RE = re.compile(
    r"<[^<>]*>|&(?:#[0-9]+|#x[0-9A-Fa-f]+|(?:lt|gt|amp|quot)(?![A-Za-z]));?|.", re.DOTALL
)
_HTML_TAG_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)")
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's limits (an emoji may count 2)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _token_text(token: str) -> str:
    """What one token of `_HTML_TOKEN_RE` shows once Telegram has parsed it."""
    if len(token) == 1:
        return token
    if token.startswith("<"):
        return ""
    name = token[1:].rstrip(";")
    if not name.startswith("#"):
        return _NAMED_ENTITIES[name]
    code = int(name[2:], 16) if name[1:2] == "x" else int(name[1:])
    # tdlib keeps an out-of-range or overlong numeric entity as written.
    return chr(code) if 0 < code < 0x10FFFF and len(name) < 9 else token


def rendered_text(html: str) -> str:
    """The text Telegram shows for an HTML message: tags removed, entities decoded."""
    if "<" not in html and "&" not in html:
        return html
    return "".join(_token_text(token) for token in _HTML_TOKEN_RE.findall(html))


def rendered_len(html: str) -> int:
    """How long Telegram counts an HTML message: UTF-16 units of its parsed text."""
    return utf16_len(rendered_text(html))


def plain_len(text: str) -> int:
    """How long a plain user text counts once it is escaped into a message (as typed)."""
    return utf16_len(text)


def _open_after(stack: list[str], token: str) -> list[str]:
    tag = _HTML_TAG_RE.match(token) if token.startswith("<") else None
    if tag is None:
        return stack
    name = tag[2].lower()
    if not tag[1]:
        return [*stack, name]
    for i in range(len(stack) - 1, -1, -1):
        if stack[i] == name:
            return stack[:i] + stack[i + 1 :]
    return stack


def truncate_html(html: str, limit: int = TEXT_LIMIT, mark: str = TRUNCATED_MARK) -> str:
    """`html` unchanged if it fits `limit` (as `rendered_len` counts), else cut to fit with
    `mark` at the end: never inside a tag or an entity, every tag open at the cut closed."""
    if rendered_len(html) <= limit:
        return html
    budget = limit - rendered_len(mark)
    kept: list[str] = []
    stack: list[str] = []
    used = 0
    for token in _HTML_TOKEN_RE.findall(html):
        size = utf16_len(_token_text(token))
        if used + size > budget:
            break
        kept.append(token)
        used += size
        stack = _open_after(stack, token)
    body = "".join(kept).rstrip()
    return body + "".join(f"</{name}>" for name in reversed(stack)) + mark


def truncate_plain(text: str, limit: int, mark: str = TRUNCATED_MARK) -> str:
    """A plain text cut to `limit` UTF-16 units (the mark included) when it is longer."""
    if utf16_len(text) <= limit:
        return text
    budget = limit - utf16_len(mark)
    out: list[str] = []
    used = 0
    for char in text:
        used += utf16_len(char)
        if used > budget:
            break
        out.append(char)
    return "".join(out).rstrip() + mark


def fit_lines(
    lines: Sequence[str],
    *,
    more: Callable[[int], str],
    head: str = "",
    tail: str = "",
    limit: int = TEXT_LIMIT,
    max_lines: int | None = None,
) -> tuple[str, int]:
    """A growing list as one message: `head`, as many of `lines` as fit `limit` (at most
    `max_lines`, e.g. one button each), `more(left out)` when some are left out, `tail`;
    returns the text and how many lines it shows."""

    def text(shown: int) -> str:
        parts = [head] if head else []
        parts += lines[:shown]
        if shown < len(lines):
            parts.append(more(len(lines) - shown))
        if tail:
            parts.append(tail)
        return "\n".join(parts)

    cap = len(lines) if max_lines is None else min(len(lines), max_lines)
    if cap == len(lines) and rendered_len(text(cap)) <= limit:
        return text(cap), cap
    # The frame with the longest "more" line (the most left out), then lines while they fit.
    used = rendered_len(text(0))
    shown = 0
    while shown < cap and used + rendered_len(lines[shown]) + 1 <= limit:
        used += rendered_len(lines[shown]) + 1
        shown += 1
    return truncate_html(text(shown), limit), shown
