"""Telegram-flavoured HTML parsed as tdlib does: plain text plus entities, or tdlib's error."""

import re
from collections.abc import Callable
from dataclasses import dataclass

from emulator.limits import utf16_len
from emulator.wire import JSONDict, words


class _HtmlError(Exception):
    pass


_HTML_TAGS = words(
    "a b strong i em u ins s strike del span tg-spoiler tg-emoji code pre blockquote"
)
_SIMPLE_ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
}
_NAMED_HTML_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
# tdlib's is_space also treats NUL and vertical tab as whitespace.
_HTML_SPACE = frozenset(" \t\r\n\v\0")


@dataclass
class _OpenTag:
    name: str
    attrs: dict[str, str]
    utf16_offset: int
    out_index: int


def _decode_html_entity(text: str, pos: int) -> tuple[str, int] | None:
    """Decode the entity at text[pos] == '&' like tdlib; return (char, end) or None."""
    end = pos + 1
    if text.startswith("#", end):
        end += 1
        hexadecimal = text.startswith("x", end)
        digits = "0123456789abcdefABCDEF" if hexadecimal else "0123456789"
        if hexadecimal:
            end += 1
        start = end
        while end < len(text) and text[end] in digits:
            end += 1
        if end == start or end - pos >= 10:
            return None
        code = int(text[start:end], 16 if hexadecimal else 10)
        if code == 0 or code >= 0x10FFFF:
            return None
        char = chr(code)
    else:
        while end < len(text) and text[end].isascii() and text[end].isalpha():
            end += 1
        named = _NAMED_HTML_ENTITIES.get(text[pos + 1 : end])
        if named is None:
            return None
        char = named
    if text.startswith(";", end):
        end += 1
    return char, end


def parse_html(source: str, *, strict: bool = True) -> tuple[str, list[JSONDict]]:
    """Parse Telegram-flavoured HTML into (plain text, entities) or raise ValueError.

    Follows tdlib's parser (same error wording, byte offsets in UTF-8).  With
    ``strict`` a bare ``&`` or an unsupported named entity such as ``&nbsp;`` is an
    error; real Telegram keeps those literally, but they always mean the bot forgot
    to escape something, so tests should fail loudly.
    """
    try:
        return _parse_html(source, strict=strict)
    except _HtmlError as exc:
        raise ValueError(str(exc)) from None


def _parse_html(source: str, *, strict: bool) -> tuple[str, list[JSONDict]]:
    out: list[str] = []
    entities: list[JSONDict] = []
    stack: list[_OpenTag] = []
    utf16 = 0
    n = len(source)
    i = 0

    def byte_offset(index: int) -> int:
        return len(source[:index].encode("utf-8", "surrogatepass"))

    def skip_spaces(index: int) -> int:
        while index < n and source[index] in _HTML_SPACE:
            index += 1
        return index

    while i < n:
        char = source[i]
        if char == "&":
            decoded = _decode_html_entity(source, i)
            if decoded is not None:
                out.append(decoded[0])
                utf16 += utf16_len(decoded[0])
                i = decoded[1]
                continue
            if strict:
                named = re.match(r"&[A-Za-z][A-Za-z0-9]*;", source[i:])
                what = f'HTML entity "{named[0]}"' if named else '"&"'
                raise _HtmlError(
                    f"Unsupported {what} at byte offset {byte_offset(i)}; only &lt; &gt; &amp; "
                    "&quot; and numeric entities exist (emulator strict_html check)"
                )
        if char != "<":
            out.append(char)
            utf16 += utf16_len(char)
            i += 1
            continue

        begin = i
        i += 1
        if i < n and source[i] == "/":
            i = _close_tag(source, begin, i, stack, entities, out, utf16, byte_offset)
            continue

        while i < n and source[i] not in _HTML_SPACE and source[i] != ">":
            i += 1
        if i >= n:
            raise _HtmlError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
        tag = source[begin + 1 : i].lower()
        if tag not in _HTML_TAGS:
            raise _HtmlError(f'Unsupported start tag "{tag}" at byte offset {byte_offset(begin)}')
        attrs: dict[str, str] = {}
        while True:
            i = skip_spaces(i)
            if i >= n:
                raise _HtmlError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
            if source[i] == ">":
                break
            name_start = i
            while i < n and source[i] not in _HTML_SPACE and source[i] not in "=>":
                i += 1
            name = source[name_start:i].lower()
            if not name:
                raise _HtmlError(
                    f'Empty attribute name in the tag "{tag}" at byte offset {byte_offset(begin)}'
                )
            i = skip_spaces(i)
            if i >= n:
                raise _HtmlError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
            if source[i] != "=":
                # Since Bot API 7.4 `<blockquote expandable>` is the one valueless attribute.
                if tag == "blockquote" and name == "expandable":
                    attrs[name] = ""
                    continue
                raise _HtmlError(
                    "Expected equal sign in declaration of an attribute of the tag "
                    f'"{tag}" at byte offset {byte_offset(begin)}'
                )
            i = skip_spaces(i + 1)
            if i >= n:
                raise _HtmlError(f'Unclosed start tag "{tag}" at byte offset {byte_offset(begin)}')
            value, i = _attribute_value(source, i, byte_offset)
            if i >= n:
                raise _HtmlError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
            attrs[name] = value
        i += 1  # the closing '>'
        if tag == "span" and attrs.get("class") != "tg-spoiler":
            raise _HtmlError(
                f'Tag "span" must have class "tg-spoiler" at byte offset {byte_offset(begin)}'
            )
        stack.append(_OpenTag(tag, attrs, utf16, len(out)))

    if stack:
        raise _HtmlError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    for entity in entities:
        if entity["type"] == "code":
            # Only <pre><code class="language-x"> carries a language.
            entity.pop("language", None)
    entities.sort(key=lambda entity: (entity["offset"], -entity["length"]))
    return "".join(out), entities


def _attribute_value(source: str, i: int, byte_offset: Callable[[int], int]) -> tuple[str, int]:
    n = len(source)
    quote = source[i]
    if quote not in "'\"":
        # An unquoted name token: letters, digits, periods and hyphens.
        start = i
        while i < n and (source[i].isalnum() or source[i] in ".-"):
            i += 1
        if i < n and source[i] not in _HTML_SPACE and source[i] != ">":
            raise _HtmlError(f"Unexpected end of name token at byte offset {byte_offset(start)}")
        return source[start:i].lower(), i
    i += 1
    chars: list[str] = []
    while i < n and source[i] != quote:
        if source[i] == "&":
            decoded = _decode_html_entity(source, i)
            if decoded is not None:
                chars.append(decoded[0])
                i = decoded[1]
                continue
        chars.append(source[i])
        i += 1
    if i < n:
        i += 1
    return "".join(chars), i


def _close_tag(
    source: str,
    begin: int,
    i: int,
    stack: list[_OpenTag],
    entities: list[JSONDict],
    out: list[str],
    utf16: int,
    byte_offset: Callable[[int], int],
) -> int:
    """Handle ``</name>`` starting at ``begin``; return the index after it."""
    n = len(source)
    if not stack:
        raise _HtmlError(f"Unexpected end tag at byte offset {byte_offset(begin)}")
    i += 1
    name_start = i
    while i < n and source[i] not in _HTML_SPACE and source[i] != ">":
        i += 1
    end_name = source[name_start:i].lower()
    while i < n and source[i] in _HTML_SPACE:
        i += 1
    if i >= n or source[i] != ">":
        raise _HtmlError(f"Unclosed end tag at byte offset {byte_offset(begin)}")
    open_tag = stack.pop()
    if end_name and end_name != open_tag.name:
        raise _HtmlError(
            f"Unmatched end tag at byte offset {byte_offset(begin)}, "
            f'expected "</{open_tag.name}>", found "</{end_name}>"'
        )
    length = utf16 - open_tag.utf16_offset
    if length > 0:
        entity = _entity_for(open_tag, length, "".join(out[open_tag.out_index :]), entities)
        if entity is not None:
            entities.append(entity)
    return i + 1


def _entity_for(
    tag: _OpenTag, length: int, inner_text: str, entities: list[JSONDict]
) -> JSONDict | None:
    entity: JSONDict = {"type": "", "offset": tag.utf16_offset, "length": length}
    simple = _SIMPLE_ENTITY_TYPES.get(tag.name)
    if simple is not None:
        entity["type"] = simple
    elif tag.name == "a":
        url = tag.attrs.get("href") or inner_text
        if not url:
            return None
        entity.update(type="text_link", url=url)
    elif tag.name == "code":
        entity["type"] = "code"
        language = tag.attrs.get("class", "")
        if language.startswith("language-"):
            # Dropped again unless an enclosing <pre> of the same span picks it up.
            entity["language"] = language.removeprefix("language-")
    elif tag.name == "pre":
        entity["type"] = "pre"
        last = entities[-1] if entities else None
        if (
            last is not None
            and last["type"] == "code"
            and last["offset"] == entity["offset"]
            and last["length"] == length
        ):
            entities.pop()
            if "language" in last:
                entity["language"] = last["language"]
    elif tag.name == "blockquote":
        entity["type"] = "expandable_blockquote" if "expandable" in tag.attrs else "blockquote"
    elif tag.name == "tg-emoji":
        emoji_id = tag.attrs.get("emoji-id")
        if not emoji_id:
            return None
        entity.update(type="custom_emoji", custom_emoji_id=emoji_id)
    else:  # pragma: no cover - _HTML_TAGS and this chain are kept in sync
        return None
    return entity
