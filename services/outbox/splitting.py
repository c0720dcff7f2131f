"""Long HTML texts cut into Telegram messages, each valid HTML on its own and within the limit."""

import re

from core.formatting import CAPTION_LIMIT, TEXT_LIMIT, utf16_len

# Telegram's limits on a message's text and a caption (core.formatting's, named as they were).
MAX_MESSAGE_LENGTH = TEXT_LIMIT
MAX_CAPTION_LENGTH = CAPTION_LIMIT
__all__ = ["MAX_CAPTION_LENGTH", "MAX_MESSAGE_LENGTH", "split_html", "utf16_len"]


# A tag, an entity, or one character: the units a split never cuts through.
_TOKEN_RE = re.compile(r"<[^<>]*>|&(?:#[0-9]+|#x[0-9A-Fa-f]+|[A-Za-z]+);|.", re.DOTALL)
_TAG_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)")
_SENTENCE_END = frozenset("。！？；!?; ")


def _after(stack: list[tuple[str, str]], token: str) -> list[tuple[str, str]]:
    """The open tags after `token`: (name, the opening tag as written)."""
    tag = _TAG_RE.match(token) if token.startswith("<") else None
    if tag is None:
        return stack
    closing, name = tag[1], tag[2].lower()
    if not closing:
        return [*stack, (name, token)]
    for i in range(len(stack) - 1, -1, -1):
        if stack[i][0] == name:
            return stack[:i] + stack[i + 1 :]
    return stack


def _closers(stack: list[tuple[str, str]]) -> str:
    return "".join(f"</{name}>" for name, _tag in reversed(stack))


def _cut_quality(tokens: list[str], end: int) -> int:
    """How good a place the gap before tokens[end] is to split: paragraph > line > sentence."""
    last = tokens[end - 1]
    if last == "\n":
        return 3 if end >= 2 and tokens[end - 2] == "\n" else 2
    return 1 if last in _SENTENCE_END else 0


def split_html(text: str, limit: int = MAX_MESSAGE_LENGTH) -> list[str]:
    """Split an HTML message into parts of at most `limit` UTF-16 units, each valid on its own.

    Cuts fall between paragraphs, else lines, else sentences, and never inside a tag or an
    entity; a formatting tag open at a cut is closed there and reopened in the next part.
    The raw HTML length bounds the parsed length, so every part fits Telegram's limit.
    Parts without visible text are dropped.
    """
    if utf16_len(text) <= limit:
        return [text] if _visible(text) else []
    tokens = _TOKEN_RE.findall(text)
    parts: list[str] = []
    stack: list[tuple[str, str]] = []
    start = 0
    while start < len(tokens):
        reopen = "".join(tag for _name, tag in stack)
        size, open_tags = utf16_len(reopen), stack
        # Best cut of each quality so far: (end, its open tags, the part's size there).
        cuts: dict[int, tuple[int, list[tuple[str, str]], int]] = {}
        end = start
        while end < len(tokens):
            after = _after(open_tags, tokens[end])
            grown = size + utf16_len(tokens[end])
            if grown + utf16_len(_closers(after)) > limit:
                break
            size, open_tags, end = grown, after, end + 1
            cuts[_cut_quality(tokens, end)] = (end, open_tags, size)
        if end == start:
            raise ValueError("a single tag or entity does not fit in a message")
        if end == len(tokens):
            part = reopen + "".join(tokens[start:])
            stack = []
        else:
            # Prefer the best kind of cut that still fills at least half a message.
            end, stack, _size = next(
                (cuts[q] for q in (3, 2, 1) if q in cuts and cuts[q][2] >= limit // 2),
                max(cuts.values(), key=lambda cut: cut[0]),
            )
            # Whitespace at the cut would show as a blank line Telegram does not always trim.
            part = reopen + "".join(tokens[start:end]).rstrip("\n ") + _closers(stack)
        if _visible(part):
            parts.append(part)
        start = end
        while start < len(tokens) and tokens[start] in ("\n", " "):
            start += 1
    return parts


def _visible(part: str) -> bool:
    return bool(re.sub(r"<[^<>]*>", "", part).strip())
