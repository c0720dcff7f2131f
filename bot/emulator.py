"""Loopback Telegram Bot API emulator for tests and the console demo.

An aiohttp server on 127.0.0.1 that speaks enough of the Bot API for the real
``telegram.ext.Application`` (via PTB's own HTTPXRequest and long polling) to run
against it.  Point the bot at it with::

    ApplicationBuilder().token(TOKEN)
        .base_url(emu.bot_base_url)            # f"{emu.base_url}/bot"
        .base_file_url(emu.file_base_url)      # f"{emu.base_url}/file/bot"

Tests and the demo act as users through the Python control API (``send_text``,
``press_button`` ...) and read what the bot sent (``sent_messages``,
``wait_for_message``).  A thin HTTP mirror lives under ``/control/`` for other
processes.  It is deliberately independent of ``telegram``: it only deals in
Bot-API-shaped JSON dicts.  Not thread-safe: use it from one event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import logging
import math
import mimetypes
import re
import struct
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Self, TypeVar

from aiohttp import BodyPartReader, web

__all__ = [
    "BotApiEmulator",
    "CallbackAnswer",
    "EmulatorError",
    "FakeUser",
    "SentFile",
    "SentMessage",
    "UploadedFile",
    "parse_html",
    "utf16_len",
]

JSONDict = dict[str, Any]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_LOGGER = logging.getLogger(__name__)

MAX_MESSAGE_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
# Telegram refuses to delete messages older than 48 hours.
DELETE_WINDOW_SECONDS = 48 * 3600
# Telegram caps long polling at 50 seconds.
MAX_POLL_TIMEOUT = 50.0

_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
_CALLBACK_INVALID = "query is too old and response timeout expired or query ID is invalid"
_CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)

# Update types delivered when allowed_updates was never given (Bot API default).
_DEFAULT_ALLOWED_UPDATES = _words(
    "message edited_message channel_post edited_channel_post business_connection "
    "business_message edited_business_message deleted_business_messages inline_query "
    "chosen_inline_result callback_query shipping_query pre_checkout_query "
    "purchased_paid_media poll poll_answer my_chat_member chat_join_request "
    "chat_boost removed_chat_boost"
)

# Form/multipart values arrive as strings; these carry JSON-serialised objects.
_JSON_FIELDS = _words(
    "reply_markup scope commands allowed_updates entities caption_entities "
    "link_preview_options reply_parameters menu_button rights media results options button"
)
_INT_FIELDS = _words(
    "chat_id user_id message_id offset limit reply_to_message_id message_thread_id "
    "cache_time live_period heading proximity_alert_radius"
)
_FLOAT_FIELDS = frozenset({"latitude", "longitude", "horizontal_accuracy", "timeout"})
_BOOL_FIELDS = _words(
    "disable_notification protect_content show_alert drop_pending_updates "
    "disable_web_page_preview allow_sending_without_reply "
    "disable_content_type_detection has_spoiler show_caption_above_media "
    "allow_paid_broadcast for_channels"
)
_INT_RE = re.compile(r"-?\d+")
_INLINE_BUTTON_ACTIONS = _words(
    "url callback_data web_app login_url switch_inline_query "
    "switch_inline_query_current_chat switch_inline_query_chosen_chat copy_text "
    "callback_game pay"
)
_SEND_METHODS_RATED = _words(
    "sendMessage sendDocument sendPhoto sendLocation editMessageText "
    "editMessageCaption editMessageReplyMarkup"
)
_COMMAND_NAME_RE = re.compile(r"[a-z0-9_]{1,32}")
# Mirrors tdlib's bot-command matcher: not glued to a word, '/', '<' or '>' on either side.
_BOT_COMMAND_RE = re.compile(r"(?<![\w/<>])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/<>])")


class EmulatorError(Exception):
    """Misuse of the control API (unknown user, missing button, ...)."""


class _ApiError(Exception):
    """A Telegram-shaped error answer for the current Bot API call."""

    def __init__(self, status: int, description: str, parameters: JSONDict | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def envelope(self) -> JSONDict:
        """Bot API error body."""
        body: JSONDict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def _bad_request(detail: str) -> _ApiError:
    return _ApiError(400, f"Bad Request: {detail}")


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit of Bot API entity offsets and limits."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


# --------------------------------------------------------------------------- HTML


class _HtmlError(Exception):
    pass


_HTML_TAGS = _words(
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


# ----------------------------------------------------------------------- models


@dataclass
class FakeUser:
    """A Telegram user driven by the test or demo; its private chat id equals ``id``."""

    id: int
    first_name: str
    username: str | None = None
    last_name: str | None = None
    language_code: str | None = None
    blocked: bool = False

    def to_dict(self) -> JSONDict:
        """Bot API ``User`` object."""
        data: JSONDict = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data

    def chat_dict(self) -> JSONDict:
        """Bot API ``Chat`` object of the private chat with this user."""
        data: JSONDict = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        return data


@dataclass
class SentFile:
    """A file the bot sent (or a user uploaded); ``data`` is None for URL sends."""

    file_id: str
    file_unique_id: str
    file_path: str
    filename: str | None = None
    mime_type: str | None = None
    size: int = 0
    data: bytes | None = field(default=None, repr=False)
    url: str | None = None
    width: int | None = None
    height: int | None = None

    def to_json(self) -> JSONDict:
        """JSON view without the bytes."""
        return {
            "file_id": self.file_id,
            "filename": self.filename,
            "mime_type": self.mime_type,
            "size": self.size,
            "url": self.url,
            "width": self.width,
            "height": self.height,
        }


@dataclass
class SentMessage:
    """Current state of a message the bot sent; reads return snapshots, not live objects.

    ``text`` is the message text or caption as Telegram stores it (HTML tags stripped,
    entities unescaped); ``source_text`` is what the bot passed.  ``seq`` is the global
    change counter at its last send/edit/delete (see ``BotApiEmulator.checkpoint``).
    """

    message_id: int
    chat_id: int
    method: str
    date: int
    text: str | None = None
    source_text: str | None = None
    parse_mode: str | None = None
    entities: list[JSONDict] = field(default_factory=list)
    reply_markup: JSONDict | None = None
    document: SentFile | None = None
    photo: SentFile | None = None
    location: tuple[float, float] | None = None
    edited: bool = False
    edit_count: int = 0
    edit_date: int | None = None
    deleted: bool = False
    seq: int = 0
    raw: JSONDict = field(default_factory=dict, repr=False)

    @property
    def buttons(self) -> list[JSONDict]:
        """Inline keyboard buttons, flattened row by row ([] without inline keyboard)."""
        if not self.reply_markup or "inline_keyboard" not in self.reply_markup:
            return []
        return [button for row in self.reply_markup["inline_keyboard"] for button in row]

    def callback_data(self, label: str) -> str:
        """callback_data of the inline button whose text is ``label``."""
        for button in self.buttons:
            if button.get("text") == label and "callback_data" in button:
                return str(button["callback_data"])
        labels = [button.get("text") for button in self.buttons]
        raise EmulatorError(f"message {self.message_id} has no button {label!r}; has {labels}")

    def to_json(self) -> JSONDict:
        """JSON view for the HTTP control API."""
        return {
            "message_id": self.message_id,
            "chat_id": self.chat_id,
            "method": self.method,
            "date": self.date,
            "text": self.text,
            "source_text": self.source_text,
            "parse_mode": self.parse_mode,
            "entities": self.entities,
            "reply_markup": self.reply_markup,
            "document": self.document.to_json() if self.document else None,
            "photo": self.photo.to_json() if self.photo else None,
            "location": list(self.location) if self.location else None,
            "edited": self.edited,
            "edit_count": self.edit_count,
            "edit_date": self.edit_date,
            "deleted": self.deleted,
            "seq": self.seq,
        }

    def describe(self) -> str:
        """One-line summary for error messages and logs."""
        flags = "".join(
            f" [{name}]" for name, on in (("edited", self.edited), ("deleted", self.deleted)) if on
        )
        body = self.text if self.text is not None else ""
        if self.document:
            body = f"<document {self.document.filename}> {body}"
        elif self.photo:
            body = f"<photo> {body}"
        elif self.location:
            body = f"<location {self.location[0]},{self.location[1]}>"
        if len(body) > 80:
            body = body[:77] + "..."
        return f"#{self.message_id} {self.method} seq={self.seq}{flags}: {body!r}"


@dataclass
class CallbackAnswer:
    """An answerCallbackQuery call."""

    callback_query_id: str
    text: str | None = None
    show_alert: bool = False
    url: str | None = None
    cache_time: int | None = None


_Answer = TypeVar("_Answer")


@dataclass
class InlineAnswer:
    """An answerInlineQuery call."""

    inline_query_id: str
    results: list[JSONDict]
    cache_time: int | None = None
    is_personal: bool = False
    next_offset: str | None = None
    button: JSONDict | None = None


@dataclass
class UploadedFile:
    """A multipart file part as received; appears in ``BotApiEmulator.calls``."""

    filename: str | None
    content_type: str | None
    data: bytes


@dataclass
class _InjectedFailure:
    status: int
    description: str
    parameters: JSONDict | None
    delay: float
    remaining: int


class _Signal:
    """Broadcast wake-up that sync code can fire.

    asyncio.Condition.notify_all needs its lock, i.e. an await, but block() and
    friends are synchronous; so each notify() sets the current Event and installs a
    fresh one.  Waiters check their predicate, then wait on the Event they saw: in a
    single-threaded loop no notification can slip in between.
    """

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        event, self._event = self._event, asyncio.Event()
        event.set()

    async def wait(self, seconds: float) -> None:
        """Return on the next notify() or after ``seconds``."""
        event = self._event
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await event.wait()


class _TokenBucket:
    """Flood-control bucket: ``rate`` sends per second, bursts up to ``burst`` (by default
    max(1, rate))."""

    def __init__(self, rate: float, burst: float | None = None) -> None:
        self.rate = rate
        self.capacity = max(1.0, rate) if burst is None else max(1.0, burst)
        self.tokens = self.capacity
        self.updated: float | None = None

    def wait_time(self, now: float) -> float:
        """Seconds until a send is allowed (0 if allowed now)."""
        if self.updated is not None:
            self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self) -> None:
        self.tokens -= 1


class _Params:
    """Decoded Bot API call parameters with Telegram-style validation errors."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def raw(self, name: str) -> Any:
        return self.data.get(name)

    def opt_str(self, name: str) -> str | None:
        value = self.data.get(name)
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        raise _bad_request(f'field "{name}" must be of type String')

    def opt_int(self, name: str) -> int | None:
        value = self.data.get(name)
        if value is None:
            return None
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and _INT_RE.fullmatch(value.strip()):
            return int(value)
        raise _bad_request(f'field "{name}" must be of type Integer')

    def req_int(self, name: str) -> int:
        value = self.opt_int(name)
        if value is None:
            raise _bad_request(f"{name} is empty")
        return value

    def opt_float(self, name: str) -> float | None:
        value = self.data.get(name)
        if value is None:
            return None
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                pass
        raise _bad_request(f'field "{name}" must be of type Float')

    def req_float(self, name: str) -> float:
        value = self.opt_float(name)
        if value is None:
            raise _bad_request(f"{name} is empty")
        return value

    def opt_bool(self, name: str) -> bool:
        value = self.data.get(name)
        if value is None:
            return False
        if isinstance(value, bool):
            return value
        if isinstance(value, int):
            return value != 0
        if isinstance(value, str) and value.lower() in {"true", "false", "1", "0"}:
            return value.lower() in {"true", "1"}
        raise _bad_request(f'field "{name}" must be of type Boolean')

    def opt_json(self, name: str, kind: type[dict[Any, Any]] | type[list[Any]]) -> Any:
        value = self.data.get(name)
        if value is None:
            return None
        if not isinstance(value, kind):
            raise _bad_request(f"can't parse {name} JSON object")
        return value

    def chat_id(self) -> int:
        value = self.data.get("chat_id")
        if value is None or value == "":
            raise _bad_request("chat_id is empty")
        if isinstance(value, str) and not _INT_RE.fullmatch(value.strip()):
            # "@channelusername": the emulator only knows private chats.
            raise _bad_request("chat not found")
        return self.req_int("chat_id")


def _normalize(name: str, value: Any) -> Any:
    """Undo PTB's form encoding: JSON objects, numbers and booleans arrive as strings."""
    if not isinstance(value, str):
        return value
    if name in _JSON_FIELDS:
        try:
            return json.loads(value)
        except ValueError:
            return value
    if name in _INT_FIELDS and _INT_RE.fullmatch(value):
        return int(value)
    if name in _FLOAT_FIELDS:
        try:
            return float(value)
        except ValueError:
            return value
    if name in _BOOL_FIELDS and value in {"true", "false"}:
        return value == "true"
    return value


def _image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG, GIF or JPEG image, None if not recognisable."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:6] in {b"GIF87a", b"GIF89a"} and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if data.startswith(b"\xff\xd8"):
        pos = 2
        while pos + 9 <= len(data):
            if data[pos] != 0xFF:
                return None
            marker = data[pos + 1]
            if marker in {0xD8, 0x01} or 0xD0 <= marker <= 0xD7:
                pos += 2
                continue
            (segment_length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
            # SOF0..SOF15 carry the dimensions; C4 (DHT), C8 (JPG) and CC (DAC) do not.
            if 0xC0 <= marker <= 0xCF and marker not in {0xC4, 0xC8, 0xCC}:
                height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
                return int(width), int(height)
            pos += 2 + int(segment_length)
    return None


def _scope_key(scope: JSONDict | None) -> tuple[str, int | str | None, int | None]:
    """Hashable identity of a BotCommandScope dict."""
    if not scope:
        return ("default", None, None)
    if not isinstance(scope, dict) or not isinstance(scope.get("type"), str):
        raise _bad_request("can't parse BotCommandScope JSON object")
    chat_id = scope.get("chat_id")
    if isinstance(chat_id, str) and _INT_RE.fullmatch(chat_id):
        chat_id = int(chat_id)
    user_id = scope.get("user_id")
    return (scope["type"], chat_id, int(user_id) if user_id is not None else None)


def _envelope(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def _error_response(error: _ApiError) -> web.Response:
    return web.json_response(error.envelope(), status=error.status)


# --------------------------------------------------------------------- emulator


class BotApiEmulator:
    """Fake Bot API server plus a control API to act as users and inspect bot output.

    Flood control: ``rate_limit_per_second`` (global) and
    ``per_chat_rate_limit_per_second`` limit sends and edits with 429 answers; both
    default to None (unlimited) and may be changed at any time.  ``per_chat_burst`` lets a
    private chat take that many messages at once before the per-chat rate applies (Telegram
    "may allow short bursts"; default 1, i.e. strictly one per second).  Message length is
    counted in UTF-16 code units after HTML parsing, as Telegram does.
    """

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        *,
        bot_username: str = "emulator_bot",
        bot_first_name: str = "Emulator Bot",
        bot_id: int | None = None,
        can_join_groups: bool = True,
        can_read_all_group_messages: bool = False,
        supports_inline_queries: bool = False,
        host: str = "127.0.0.1",
        port: int = 0,
        rate_limit_per_second: float | None = None,
        per_chat_rate_limit_per_second: float | None = None,
        per_chat_burst: float = 1.0,
        strict_html: bool = True,
        known_chats_only: bool = True,
        clock: Callable[[], float] = time.time,
    ) -> None:
        prefix = token.split(":", 1)[0]
        self.token = token
        self.bot_id = bot_id if bot_id is not None else (int(prefix) if prefix.isdigit() else 1)
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.can_join_groups = can_join_groups
        self.can_read_all_group_messages = can_read_all_group_messages
        self.supports_inline_queries = supports_inline_queries
        self.host = host
        # The bound port once started; port 0 asks the OS for a free one on each start().
        self.port = port
        self._requested_port = port
        self.rate_limit_per_second = rate_limit_per_second
        self.per_chat_rate_limit_per_second = per_chat_rate_limit_per_second
        self.per_chat_burst = per_chat_burst
        self.strict_html = strict_html
        # When False, sending to an unknown positive chat id creates that user on the fly.
        self.known_chats_only = known_chats_only
        self.clock = clock

        self.calls: list[tuple[str, dict[str, Any]]] = []
        # Every send refused with 429 by the rate limits above: (method, chat_id).
        self.flood_refusals: list[tuple[str, int]] = []
        self.callback_answers: list[CallbackAnswer] = []
        self.inline_answers: list[InlineAnswer] = []

        self._users: dict[int, FakeUser] = {}
        self._next_message_id: dict[int, int] = {}
        self._bot_messages: dict[int, dict[int, SentMessage]] = {}
        self._user_messages: dict[int, dict[int, JSONDict]] = {}
        self._reply_keyboards: dict[int, JSONDict] = {}
        self._files: dict[str, SentFile] = {}
        self._file_paths: dict[str, SentFile] = {}
        self._commands: dict[
            tuple[tuple[str, int | str | None, int | None], str], list[JSONDict]
        ] = {}
        self._menu_buttons: dict[int | None, JSONDict] = {}
        self._bot_texts: dict[tuple[str, str], str] = {}
        self._pending_callbacks: set[str] = set()
        self._pending_inline: set[str] = set()
        self._failures: dict[str, list[_InjectedFailure]] = {}
        self._buckets: dict[int | None, _TokenBucket] = {}

        self._updates: list[JSONDict] = []
        self._next_update_id = 1
        self._allowed_updates: frozenset[str] = _DEFAULT_ALLOWED_UPDATES
        self._poll_generation = 0
        self._seq = 0
        self._next_callback_id = 1
        self._next_file_number = 1

        self._updates_signal = _Signal()
        self._changes_signal = _Signal()
        self._answers_signal = _Signal()
        self._closing = False
        self._runner: web.AppRunner | None = None

        self._methods: dict[str, Callable[[_Params], Awaitable[Any]]] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "logOut": self._true,
            "close": self._true,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "setMyDescription": self._bot_text_setter("description"),
            "getMyDescription": self._bot_text_getter("description"),
            "setMyShortDescription": self._bot_text_setter("short_description"),
            "getMyShortDescription": self._bot_text_getter("short_description"),
            "setMyName": self._bot_text_setter("name"),
            "getMyName": self._bot_text_getter("name"),
            "setChatMenuButton": self._set_chat_menu_button,
            "getChatMenuButton": self._get_chat_menu_button,
            "getChat": self._get_chat,
            "getFile": self._get_file,
            "sendMessage": self._send_message,
            "sendDocument": self._send_document,
            "sendPhoto": self._send_photo,
            "sendLocation": self._send_location,
            "sendChatAction": self._send_chat_action,
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "answerInlineQuery": self._answer_inline_query,
        }
        # Bot API method names are case-insensitive.
        self._method_names = {name.lower(): name for name in self._methods}

    # ------------------------------------------------------------ lifecycle

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *_exc_info: object) -> None:
        await self.stop()

    async def start(self) -> None:
        """Bind and serve; ``port`` is updated with the real port."""
        if self._runner is not None:
            raise EmulatorError("emulator already started")
        self._closing = False
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._add_control_routes(app)
        # handler_cancellation drops a long poll whose client went away (PTB cancels
        # getUpdates on stop); the short shutdown_timeout bounds stop().
        runner = web.AppRunner(
            app, handler_cancellation=True, shutdown_timeout=2.0, access_log=None
        )
        await runner.setup()
        site = web.TCPSite(runner, self.host, self._requested_port)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        address = runner.addresses[0]
        self.port = int(address[1])
        _LOGGER.debug("Bot API emulator listening on %s", self.base_url)

    async def stop(self) -> None:
        """Answer pending long polls and shut the server down."""
        runner, self._runner = self._runner, None
        if runner is None:
            return
        self._closing = True
        self._updates_signal.notify()
        await runner.cleanup()

    @property
    def base_url(self) -> str:
        """Server root, e.g. ``http://127.0.0.1:12345``."""
        if self._runner is None:
            raise EmulatorError("emulator not started")
        return f"http://{self.host}:{self.port}"

    @property
    def bot_base_url(self) -> str:
        """Value for ``ApplicationBuilder.base_url`` (PTB appends the token)."""
        return f"{self.base_url}/bot"

    @property
    def file_base_url(self) -> str:
        """Value for ``ApplicationBuilder.base_file_url`` (PTB appends the token)."""
        return f"{self.base_url}/file/bot"

    # ------------------------------------------------------- control: users

    def user(
        self,
        user_id: int,
        first_name: str | None = None,
        username: str | None = None,
        last_name: str | None = None,
        language_code: str | None = None,
    ) -> FakeUser:
        """Register (or update and return) a user; its private chat becomes known."""
        existing = self._users.get(user_id)
        if existing is not None:
            if first_name is not None:
                existing.first_name = first_name
            existing.username = username or existing.username
            existing.last_name = last_name or existing.last_name
            existing.language_code = language_code or existing.language_code
            return existing
        if user_id <= 0:
            raise EmulatorError(f"user ids must be positive, got {user_id}")
        user = FakeUser(
            id=user_id,
            first_name=first_name or f"User{user_id}",
            username=username,
            last_name=last_name,
            language_code=language_code,
        )
        self._users[user_id] = user
        return user

    def block(self, user_id: int) -> None:
        """The user blocks the bot: sends fail with 403, a my_chat_member update is queued."""
        user = self._known_user(user_id)
        if not user.blocked:
            user.blocked = True
            self._enqueue_my_chat_member(user, "member", "kicked")

    def unblock(self, user_id: int) -> None:
        """The user unblocks the bot (queues the matching my_chat_member update)."""
        user = self._known_user(user_id)
        if user.blocked:
            user.blocked = False
            self._enqueue_my_chat_member(user, "kicked", "member")

    # ---------------------------------------------------- control: acting

    async def send_text(
        self, user_id: int, text: str, *, reply_to_message_id: int | None = None
    ) -> JSONDict:
        """The user sends ``text``; commands get bot_command entities. Returns the Message."""
        if not text:
            raise EmulatorError("text must not be empty")
        content: JSONDict = {"text": text}
        entities = [
            {
                "type": "bot_command",
                "offset": utf16_len(text[: m.start()]),
                "length": utf16_len(m[0]),
            }
            for m in _BOT_COMMAND_RE.finditer(text)
        ]
        if entities:
            content["entities"] = entities
        return self._user_message(user_id, content, reply_to_message_id)

    async def share_location(self, user_id: int, latitude: float, longitude: float) -> JSONDict:
        """The user shares a location. Returns the Message."""
        return self._user_message(
            user_id, {"location": {"latitude": latitude, "longitude": longitude}}, None
        )

    async def send_document(
        self,
        user_id: int,
        filename: str,
        data: bytes,
        *,
        mime_type: str | None = None,
        caption: str | None = None,
    ) -> JSONDict:
        """The user uploads a file; the bot can fetch it via getFile. Returns the Message."""
        stored = self._store_file(
            "documents",
            filename,
            mime_type or mimetypes.guess_type(filename)[0] or "application/octet-stream",
            data,
        )
        content: JSONDict = {"document": self._document_dict(stored)}
        if caption:
            content["caption"] = caption
        return self._user_message(user_id, content, None)

    async def send_raw_message(self, user_id: int, content: JSONDict) -> JSONDict:
        """The user sends a message with arbitrary Bot API fields (contact, sticker ...)."""
        return self._user_message(user_id, dict(content), None)

    async def press_button(
        self, user_id: int, message_id: int, callback_data: str, *, forge: bool = False
    ) -> str:
        """The user presses an inline button; returns the callback query id.

        Unless ``forge`` is set, the bot's message must exist and carry a button with
        exactly this callback_data.  Forged presses on unknown or deleted messages embed
        an inaccessible message (``date`` 0), like Telegram does for old messages.
        """
        user = self._active_user(user_id)
        message = self._bot_messages.get(user_id, {}).get(message_id)
        if not forge:
            if message is None or message.deleted:
                raise EmulatorError(f"chat {user_id} has no bot message {message_id}")
            available = [b.get("callback_data") for b in message.buttons if "callback_data" in b]
            if callback_data not in available:
                raise EmulatorError(
                    f"message {message_id} has no button with callback_data {callback_data!r}; "
                    f"available: {available}"
                )
        if message is None or message.deleted:
            embedded: JSONDict = {"chat": user.chat_dict(), "message_id": message_id, "date": 0}
        else:
            embedded = copy.deepcopy(message.raw)
        query_id = str(self._next_callback_id)
        self._next_callback_id += 1
        self._pending_callbacks.add(query_id)
        self._enqueue(
            {
                "callback_query": {
                    "id": query_id,
                    "from": user.to_dict(),
                    "message": embedded,
                    "chat_instance": str(-(10**12) - user.id),
                    "data": callback_data,
                }
            }
        )
        return query_id

    async def send_inline_query(self, user_id: int, query: str, *, offset: str = "") -> str:
        """The user types ``@bot query`` in any chat; returns the inline query id."""
        user = self._active_user(user_id)
        query_id = f"iq{self._next_callback_id}"
        self._next_callback_id += 1
        self._pending_inline.add(query_id)
        self._enqueue(
            {
                "inline_query": {
                    "id": query_id,
                    "from": user.to_dict(),
                    "query": query,
                    "offset": offset,
                    "chat_type": "sender",
                }
            }
        )
        return query_id

    def fail_next(
        self,
        method: str,
        status: int = 502,
        *,
        description: str | None = None,
        retry_after: int | None = None,
        delay: float = 0.0,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail without taking effect.

        429 gets ``parameters.retry_after`` (default 1); ``delay`` holds the answer back
        that many seconds first, to provoke client-side timeouts.
        """
        canonical = self._method_names.get(method.lower(), method)
        parameters: JSONDict | None = None
        if status == HTTPStatus.TOO_MANY_REQUESTS:
            retry_after = retry_after or 1
            parameters = {"retry_after": retry_after}
            description = description or f"Too Many Requests: retry after {retry_after}"
        elif retry_after is not None:
            parameters = {"retry_after": retry_after}
        if description is None:
            try:
                description = HTTPStatus(status).phrase
            except ValueError:
                description = f"Error {status}"
            if status == HTTPStatus.BAD_REQUEST:
                description = "Bad Request: injected failure"
        failure = _InjectedFailure(status, description, parameters, delay, times)
        self._failures.setdefault(canonical, []).append(failure)

    # --------------------------------------------------- control: reading

    def sent_messages(self, chat_id: int) -> list[SentMessage]:
        """Snapshots of every message the bot sent to the chat, by message_id."""
        return [copy.deepcopy(m) for m in self._bot_messages.get(chat_id, {}).values()]

    def checkpoint(self) -> int:
        """Current change counter; pass as ``after=`` to wait only for later changes."""
        return self._seq

    def commands(self, scope: JSONDict | None = None, language_code: str = "") -> list[JSONDict]:
        """Commands stored by setMyCommands for exactly this scope and language."""
        return copy.deepcopy(self._commands.get((_scope_key(scope), language_code), []))

    def reply_keyboard(self, chat_id: int) -> JSONDict | None:
        """The reply keyboard currently shown in the chat, if any."""
        return copy.deepcopy(self._reply_keyboards.get(chat_id))

    def file(self, file_id: str) -> SentFile:
        """A file known to the emulator."""
        try:
            return self._files[file_id]
        except KeyError:
            raise EmulatorError(f"unknown file_id {file_id!r}") from None

    def pending_updates(self) -> list[JSONDict]:
        """Updates not yet confirmed by the bot."""
        return copy.deepcopy(self._updates)

    async def wait_for_message(
        self,
        chat_id: int,
        predicate: Callable[[SentMessage], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - the test-facing contract is a plain timeout
        after: SentMessage | int | None = None,
    ) -> SentMessage:
        """Wait until the bot sent or changed a matching message in the chat.

        Only messages whose last send/edit/delete happened after ``after`` (a
        SentMessage snapshot or a ``checkpoint()``) count; the earliest such change
        wins.  Without ``predicate`` deleted messages are skipped.  Raises
        TimeoutError listing what the chat did receive.
        """
        after_seq = after.seq if isinstance(after, SentMessage) else (after or 0)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            candidates = sorted(
                (m for m in self._bot_messages.get(chat_id, {}).values() if m.seq > after_seq),
                key=lambda m: m.seq,
            )
            for message in candidates:
                if predicate(message) if predicate is not None else not message.deleted:
                    return copy.deepcopy(message)
            remaining = deadline - loop.time()
            if remaining <= 0:
                received = [m.describe() for m in self._bot_messages.get(chat_id, {}).values()]
                listing = "\n  ".join(received) if received else "(nothing)"
                raise TimeoutError(
                    f"no matching bot message in chat {chat_id} after seq {after_seq} "
                    f"within {timeout}s; the chat received:\n  {listing}"
                )
            await self._changes_signal.wait(remaining)

    async def wait_for_callback_answer(
        self,
        callback_id: str,
        timeout: float = 5.0,  # noqa: ASYNC109 - the test-facing contract is a plain timeout
    ) -> CallbackAnswer:
        """Wait until the bot answered the callback query."""

        def find() -> CallbackAnswer | None:
            return next(
                (a for a in self.callback_answers if a.callback_query_id == callback_id), None
            )

        def answered() -> str:
            return f"answered: {[a.callback_query_id for a in self.callback_answers]}"

        return await self._wait_for_answer(find, timeout, f"callback query {callback_id}", answered)

    async def wait_for_inline_answer(
        self,
        query_id: str,
        timeout: float = 5.0,  # noqa: ASYNC109 - the test-facing contract is a plain timeout
    ) -> InlineAnswer:
        """Wait until the bot answered the inline query."""

        def find() -> InlineAnswer | None:
            found = next((a for a in self.inline_answers if a.inline_query_id == query_id), None)
            return copy.deepcopy(found)

        def answered() -> str:
            return f"answered: {[a.inline_query_id for a in self.inline_answers]}"

        return await self._wait_for_answer(find, timeout, f"inline query {query_id}", answered)

    async def _wait_for_answer(
        self,
        find: Callable[[], _Answer | None],
        timeout: float,  # noqa: ASYNC109 - see the public waits
        what: str,
        answered: Callable[[], str],
    ) -> _Answer:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (found := find()) is None:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"{what} not answered within {timeout}s; {answered()}")
            await self._answers_signal.wait(remaining)
        return found

    # ------------------------------------------------------------ internals

    def _known_user(self, user_id: int) -> FakeUser:
        user = self._users.get(user_id)
        if user is None:
            raise EmulatorError(f"unknown user {user_id}; register it with emu.user()")
        return user

    def _active_user(self, user_id: int) -> FakeUser:
        user = self._users.get(user_id) or self.user(user_id)
        if user.blocked:
            raise EmulatorError(f"user {user_id} blocked the bot; unblock() first")
        return user

    def _new_message_id(self, chat_id: int) -> int:
        message_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = message_id + 1
        return message_id

    def _now(self) -> int:
        return int(self.clock())

    def _bot_user(self) -> JSONDict:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def _enqueue(self, payload: JSONDict) -> JSONDict:
        update = {"update_id": self._next_update_id, **payload}
        self._next_update_id += 1
        self._updates.append(update)
        self._updates_signal.notify()
        return update

    def _enqueue_my_chat_member(self, user: FakeUser, old: str, new: str) -> None:
        def member(status: str) -> JSONDict:
            data: JSONDict = {"status": status, "user": self._bot_user()}
            if status == "kicked":
                data["until_date"] = 0
            return data

        self._enqueue(
            {
                "my_chat_member": {
                    "chat": user.chat_dict(),
                    "from": user.to_dict(),
                    "date": self._now(),
                    "old_chat_member": member(old),
                    "new_chat_member": member(new),
                }
            }
        )

    def _user_message(
        self, user_id: int, content: JSONDict, reply_to_message_id: int | None
    ) -> JSONDict:
        user = self._active_user(user_id)
        replied = None
        if reply_to_message_id is not None:
            replied = self._any_message(user_id, reply_to_message_id)
            if replied is None:
                raise EmulatorError(f"chat {user_id} has no message {reply_to_message_id}")
        message: JSONDict = {
            "message_id": self._new_message_id(user_id),
            "from": user.to_dict(),
            "chat": user.chat_dict(),
            "date": self._now(),
            **content,
        }
        if replied is not None:
            message["reply_to_message"] = replied
        self._user_messages.setdefault(user_id, {})[message["message_id"]] = message
        self._enqueue({"message": message})
        return copy.deepcopy(message)

    def _any_message(self, chat_id: int, message_id: int) -> JSONDict | None:
        """A copy fit for ``reply_to_message`` (which Telegram never nests)."""
        bot_message = self._bot_messages.get(chat_id, {}).get(message_id)
        found: JSONDict | None = None
        if bot_message is not None and not bot_message.deleted:
            found = bot_message.raw
        else:
            found = self._user_messages.get(chat_id, {}).get(message_id)
        if found is None:
            return None
        replied = copy.deepcopy(found)
        replied.pop("reply_to_message", None)
        return replied

    def _store_file(
        self, folder: str, filename: str | None, mime_type: str | None, data: bytes | None
    ) -> SentFile:
        number = self._next_file_number
        self._next_file_number += 1
        suffix = ""
        if filename and "." in filename:
            suffix = "." + filename.rsplit(".", 1)[1]
        stored = SentFile(
            file_id=f"EMU{folder[:3].upper()}{number:06d}",
            file_unique_id=f"U{number:06d}",
            file_path=f"{folder}/file_{number}{suffix}",
            filename=filename,
            mime_type=mime_type,
            size=len(data) if data is not None else 0,
            data=data,
        )
        self._files[stored.file_id] = stored
        self._file_paths[stored.file_path] = stored
        return stored

    @staticmethod
    def _document_dict(stored: SentFile) -> JSONDict:
        data: JSONDict = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.size,
        }
        if stored.filename:
            data["file_name"] = stored.filename
        if stored.mime_type:
            data["mime_type"] = stored.mime_type
        return data

    def _bump(self, message: SentMessage) -> None:
        self._seq += 1
        message.seq = self._seq
        self._changes_signal.notify()

    # --------------------------------------------------------- HTTP layer

    async def _read_params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        files: dict[str, UploadedFile] = {}
        content_type = request.content_type
        if request.method == "POST" and request.can_read_body:
            if content_type == "application/json":
                try:
                    body = await request.json()
                except ValueError:
                    raise _bad_request("can't parse JSON request body") from None
                if not isinstance(body, dict):
                    raise _bad_request("request body must be a JSON object")
                params.update(body)
            elif content_type == "multipart/form-data":
                reader = await request.multipart()
                while (part := await reader.next()) is not None:
                    if not isinstance(part, BodyPartReader) or part.name is None:
                        continue
                    payload = await part.read(decode=True)
                    if part.filename is not None:
                        files[part.name] = UploadedFile(
                            part.filename, part.headers.get("Content-Type"), bytes(payload)
                        )
                    else:
                        try:
                            params[part.name] = bytes(payload).decode("utf-8")
                        except UnicodeDecodeError:
                            raise _bad_request(f"{part.name} is not valid UTF-8") from None
            else:
                form = await request.post()
                params.update({key: value for key, value in form.items() if isinstance(value, str)})
        decoded = {name: _normalize(name, value) for name, value in params.items()}
        for name, value in list(decoded.items()):
            if isinstance(value, str) and value.startswith("attach://"):
                attached = files.pop(value.removeprefix("attach://"), None)
                if attached is None:
                    raise _bad_request(f"file {value} not found in the request")
                decoded[name] = attached
        decoded.update(files)
        return decoded

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return _error_response(_ApiError(401, "Unauthorized"))
        requested = request.match_info["method"]
        method = self._method_names.get(requested.lower(), requested)
        try:
            data = await self._read_params(request)
        except _ApiError as error:
            return _error_response(error)
        self.calls.append((method, data))
        handler = self._methods.get(method)
        if handler is None:
            return _error_response(_ApiError(404, "Not Found"))
        failures = self._failures.get(method)
        if failures:
            failure = failures[0]
            failure.remaining -= 1
            if failure.remaining <= 0:
                failures.pop(0)
            if failure.delay:
                await asyncio.sleep(failure.delay)
            return _error_response(
                _ApiError(failure.status, failure.description, failure.parameters)
            )
        try:
            result = await handler(_Params(data))
        except _ApiError as error:
            _LOGGER.debug("%s -> %s %s", method, error.status, error.description)
            return _error_response(error)
        return _envelope(result)

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            raise web.HTTPUnauthorized()
        stored = self._file_paths.get(request.match_info["path"])
        if stored is None or stored.data is None:
            raise web.HTTPNotFound()
        return web.Response(
            body=stored.data, content_type=stored.mime_type or "application/octet-stream"
        )

    # ------------------------------------------------------ API: plumbing

    async def _true(self, _p: _Params) -> bool:
        return True

    async def _get_me(self, _p: _Params) -> JSONDict:
        return {
            **self._bot_user(),
            "can_join_groups": self.can_join_groups,
            "can_read_all_group_messages": self.can_read_all_group_messages,
            "supports_inline_queries": self.supports_inline_queries,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, p: _Params) -> list[JSONDict]:
        offset = p.opt_int("offset")
        limit = min(max(p.opt_int("limit") or 100, 1), 100)
        timeout = min(max(p.opt_float("timeout") or 0.0, 0.0), MAX_POLL_TIMEOUT)
        allowed = p.opt_json("allowed_updates", list)
        if allowed is not None:
            self._allowed_updates = frozenset(allowed) or _DEFAULT_ALLOWED_UPDATES
        if offset is not None and offset < 0:
            # Negative offset: keep only the last -offset updates, forget the rest.
            self._updates = self._updates[offset:]
        elif offset:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        # Telegram answers 409 to a poll superseded by a newer one; PTB only ever
        # overlaps polls after cancelling one, so this only ends zombie requests.
        self._poll_generation += 1
        generation = self._poll_generation
        self._updates_signal.notify()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if self._closing:
                return []
            if generation != self._poll_generation:
                raise _ApiError(409, _CONFLICT)
            # Updates of types the bot did not ask for are never delivered.
            self._updates = [
                u for u in self._updates if self._update_type(u) in self._allowed_updates
            ]
            if self._updates:
                return copy.deepcopy(self._updates[:limit])
            remaining = deadline - loop.time()
            if remaining <= 0:
                return []
            await self._updates_signal.wait(remaining)

    @staticmethod
    def _update_type(update: JSONDict) -> str:
        return next((key for key in update if key != "update_id"), "")

    async def _delete_webhook(self, p: _Params) -> bool:
        if p.opt_bool("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _get_webhook_info(self, _p: _Params) -> JSONDict:
        return {
            "url": "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    async def _set_my_commands(self, p: _Params) -> bool:
        commands = p.opt_json("commands", list)
        if commands is None:
            raise _bad_request("commands is empty")
        if len(commands) > 100:
            raise _bad_request("too many commands")
        for command in commands:
            if not isinstance(command, dict):
                raise _bad_request("can't parse BotCommand JSON object")
            if not _COMMAND_NAME_RE.fullmatch(str(command.get("command", ""))):
                raise _bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise _bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._command_key(p)
        self._commands[key] = [
            {"command": str(c["command"]), "description": str(c["description"])} for c in commands
        ]
        return True

    async def _get_my_commands(self, p: _Params) -> list[JSONDict]:
        return copy.deepcopy(self._commands.get(self._command_key(p), []))

    async def _delete_my_commands(self, p: _Params) -> bool:
        self._commands.pop(self._command_key(p), None)
        return True

    def _command_key(self, p: _Params) -> tuple[tuple[str, int | str | None, int | None], str]:
        key = _scope_key(p.opt_json("scope", dict))
        chat_id = key[1]
        if isinstance(chat_id, int) and key[0].startswith("chat") and chat_id not in self._users:
            raise _bad_request("chat not found")
        return key, p.opt_str("language_code") or ""

    def _bot_text_setter(self, kind: str) -> Callable[[_Params], Awaitable[bool]]:
        async def setter(p: _Params) -> bool:
            self._bot_texts[(kind, p.opt_str("language_code") or "")] = p.opt_str(kind) or ""
            return True

        return setter

    def _bot_text_getter(self, kind: str) -> Callable[[_Params], Awaitable[JSONDict]]:
        async def getter(p: _Params) -> JSONDict:
            language = p.opt_str("language_code") or ""
            fallback = self.bot_first_name if kind == "name" else ""
            return {kind: self._bot_texts.get((kind, language), fallback)}

        return getter

    async def _set_chat_menu_button(self, p: _Params) -> bool:
        chat_id = p.opt_int("chat_id")
        if chat_id is not None:
            self._chat(chat_id, for_sending=False)
        self._menu_buttons[chat_id] = p.opt_json("menu_button", dict) or {"type": "default"}
        return True

    async def _get_chat_menu_button(self, p: _Params) -> JSONDict:
        chat_id = p.opt_int("chat_id")
        button = self._menu_buttons.get(chat_id) or self._menu_buttons.get(None)
        return copy.deepcopy(button) if button else {"type": "commands"}

    async def _get_chat(self, p: _Params) -> JSONDict:
        user = self._chat(p.chat_id(), for_sending=False)
        return {
            **user.chat_dict(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
            },
        }

    async def _get_file(self, p: _Params) -> JSONDict:
        stored = self._files.get(p.opt_str("file_id") or "")
        if stored is None:
            raise _bad_request("invalid file_id")
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.size,
            "file_path": stored.file_path,
        }

    # --------------------------------------------------- API: validation

    def _chat(self, chat_id: int, *, for_sending: bool = True) -> FakeUser:
        user = self._users.get(chat_id)
        if user is None:
            if self.known_chats_only or chat_id <= 0:
                raise _bad_request("chat not found")
            user = self.user(chat_id)
        if for_sending and user.blocked:
            raise _ApiError(403, "Forbidden: bot was blocked by the user")
        return user

    def _check_rate(self, method: str, chat_id: int) -> None:
        if method not in _SEND_METHODS_RATED:
            return
        now = time.monotonic()
        buckets: list[_TokenBucket] = []
        for key, rate, burst in (
            (None, self.rate_limit_per_second, None),
            (chat_id, self.per_chat_rate_limit_per_second, self.per_chat_burst),
        ):
            if rate is None:
                continue
            if rate <= 0:
                raise EmulatorError("rate limits must be positive")
            bucket = self._buckets.get(key)
            if bucket is None or bucket.rate != rate:
                bucket = self._buckets[key] = _TokenBucket(rate, burst)
            buckets.append(bucket)
        wait = max((bucket.wait_time(now) for bucket in buckets), default=0.0)
        if wait > 0:
            self.flood_refusals.append((method, chat_id))
            retry_after = max(1, math.ceil(wait))
            raise _ApiError(
                429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
            )
        for bucket in buckets:
            bucket.take()

    def _formatted(
        self, p: _Params, text_field: str, entities_field: str, *, caption: bool
    ) -> tuple[str, list[JSONDict], str | None]:
        """Text, entities and parse_mode of a text/caption after Telegram's processing."""
        source = p.opt_str(text_field) or ""
        parse_mode = p.opt_str("parse_mode") or None
        if parse_mode is None:
            text = source
            entities = list(p.opt_json(entities_field, list) or [])
        elif parse_mode.lower() == "html":
            try:
                text, entities = parse_html(source, strict=self.strict_html)
            except ValueError as exc:
                raise _bad_request(f"can't parse entities: {exc}") from None
        elif parse_mode.lower() in {"markdown", "markdownv2"}:
            # Markdown is stored verbatim: the emulator does not parse it.
            text, entities = source, []
        else:
            raise _bad_request("unsupported parse_mode")
        limit = MAX_CAPTION_LENGTH if caption else MAX_MESSAGE_LENGTH
        if utf16_len(text) > limit:
            raise _bad_request("message caption is too long" if caption else "message is too long")
        if not caption and not text.strip():
            raise _bad_request("message text is empty")
        return text, entities, parse_mode

    @staticmethod
    def _reply_markup(p: _Params, *, inline_only: bool = False) -> JSONDict | None:
        markup = p.raw("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise _bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise _bad_request("can't parse inline keyboard button: InlineKeyboardButton")
            for row in rows:
                for button in row:
                    if not isinstance(button, dict) or not button.get("text"):
                        raise _bad_request("can't parse inline keyboard button: Text is empty")
                    if not _INLINE_BUTTON_ACTIONS & button.keys():
                        raise _bad_request("text buttons are unallowed in the inline keyboard")
                    data = button.get("callback_data")
                    if data is not None and not (
                        1 <= len(str(data).encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES
                    ):
                        raise _bad_request("BUTTON_DATA_INVALID")
            return markup
        if inline_only:
            raise _bad_request("inline keyboard expected")
        if not {"keyboard", "remove_keyboard", "force_reply"} & markup.keys():
            raise _bad_request("can't parse reply keyboard markup JSON object")
        return markup

    def _reply_target(self, p: _Params, chat_id: int) -> JSONDict | None:
        reply_parameters = p.opt_json("reply_parameters", dict)
        if reply_parameters is not None:
            target = reply_parameters.get("message_id")
            allow_missing = bool(reply_parameters.get("allow_sending_without_reply"))
        else:
            target = p.opt_int("reply_to_message_id")
            allow_missing = p.opt_bool("allow_sending_without_reply")
        if target is None:
            return None
        if not isinstance(target, int) or isinstance(target, bool):
            raise _bad_request("message to be replied not found")
        replied = self._any_message(chat_id, target)
        if replied is None and not allow_missing:
            raise _bad_request("message to be replied not found")
        return replied

    def _input_file(self, p: _Params, name: str, folder: str) -> SentFile:
        value = p.raw(name)
        if isinstance(value, UploadedFile):
            return self._store_file(folder, value.filename, value.content_type, value.data)
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            stored = self._store_file(folder, value.rsplit("/", 1)[-1] or None, None, None)
            stored.url = value
            return stored
        if isinstance(value, str) and value:
            known = self._files.get(value)
            if known is None:
                raise _bad_request("wrong file identifier/HTTP URL specified")
            return known
        raise _bad_request(f"there is no {name} in the request")

    # ---------------------------------------------------- API: messages

    def _new_bot_message(
        self,
        user: FakeUser,
        method: str,
        content: JSONDict,
        markup: JSONDict | None,
        reply_to: JSONDict | None,
        **state: Any,
    ) -> SentMessage:
        message_id = self._new_message_id(user.id)
        date = self._now()
        raw: JSONDict = {
            "message_id": message_id,
            "from": self._bot_user(),
            "chat": user.chat_dict(),
            "date": date,
            **content,
        }
        if reply_to is not None:
            raw["reply_to_message"] = reply_to
        # Message.reply_markup only ever holds inline keyboards.
        if markup is not None and "inline_keyboard" in markup:
            raw["reply_markup"] = markup
        elif markup is not None and "keyboard" in markup:
            self._reply_keyboards[user.id] = markup
        elif markup is not None and "remove_keyboard" in markup:
            self._reply_keyboards.pop(user.id, None)
        message = SentMessage(
            message_id=message_id,
            chat_id=user.id,
            method=method,
            date=date,
            reply_markup=markup,
            raw=raw,
            **state,
        )
        self._bot_messages.setdefault(user.id, {})[message_id] = message
        self._bump(message)
        return message

    async def _send_message(self, p: _Params) -> JSONDict:
        user = self._chat(p.chat_id())
        text, entities, parse_mode = self._formatted(p, "text", "entities", caption=False)
        markup = self._reply_markup(p)
        reply_to = self._reply_target(p, user.id)
        self._check_rate("sendMessage", user.id)
        content: JSONDict = {"text": text}
        if entities:
            content["entities"] = entities
        message = self._new_bot_message(
            user,
            "sendMessage",
            content,
            markup,
            reply_to,
            text=text,
            source_text=p.opt_str("text"),
            parse_mode=parse_mode,
            entities=entities,
        )
        return copy.deepcopy(message.raw)

    async def _send_media(self, p: _Params, method: str, kind: str) -> JSONDict:
        user = self._chat(p.chat_id())
        caption, entities, parse_mode = self._formatted(
            p, "caption", "caption_entities", caption=True
        )
        markup = self._reply_markup(p)
        reply_to = self._reply_target(p, user.id)
        stored = self._input_file(p, kind, "photos" if kind == "photo" else "documents")
        if kind == "photo" and stored.data is not None:
            size = _image_size(stored.data)
            if size is None:
                raise _bad_request("IMAGE_PROCESS_FAILED")
            stored.width, stored.height = size
        self._check_rate(method, user.id)
        content: JSONDict = {}
        if kind == "photo":
            content["photo"] = [
                {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "file_size": stored.size,
                    "width": stored.width or 0,
                    "height": stored.height or 0,
                }
            ]
        else:
            content["document"] = self._document_dict(stored)
        if caption:
            content["caption"] = caption
            if entities:
                content["caption_entities"] = entities
        message = self._new_bot_message(
            user,
            method,
            content,
            markup,
            reply_to,
            text=caption or None,
            source_text=p.opt_str("caption"),
            parse_mode=parse_mode,
            entities=entities,
            **{kind: stored},
        )
        return copy.deepcopy(message.raw)

    async def _send_document(self, p: _Params) -> JSONDict:
        return await self._send_media(p, "sendDocument", "document")

    async def _send_photo(self, p: _Params) -> JSONDict:
        return await self._send_media(p, "sendPhoto", "photo")

    async def _send_location(self, p: _Params) -> JSONDict:
        user = self._chat(p.chat_id())
        latitude, longitude = p.req_float("latitude"), p.req_float("longitude")
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            raise _bad_request("wrong location specified")
        markup = self._reply_markup(p)
        reply_to = self._reply_target(p, user.id)
        self._check_rate("sendLocation", user.id)
        message = self._new_bot_message(
            user,
            "sendLocation",
            {"location": {"latitude": latitude, "longitude": longitude}},
            markup,
            reply_to,
            location=(latitude, longitude),
        )
        return copy.deepcopy(message.raw)

    async def _send_chat_action(self, p: _Params) -> bool:
        self._chat(p.chat_id())
        if not p.opt_str("action"):
            raise _bad_request("action is empty")
        return True

    def _message_to_edit(self, p: _Params) -> tuple[FakeUser, SentMessage]:
        if p.opt_str("inline_message_id"):
            raise _bad_request("MESSAGE_ID_INVALID")
        user = self._chat(p.chat_id())
        message_id = p.req_int("message_id")
        message = self._bot_messages.get(user.id, {}).get(message_id)
        if message is None or message.deleted:
            if message_id in self._user_messages.get(user.id, {}):
                raise _bad_request("message can't be edited")
            raise _bad_request("message to edit not found")
        return user, message

    def _apply_edit(self, message: SentMessage, markup: JSONDict | None) -> JSONDict:
        message.reply_markup = markup
        if markup is not None:
            message.raw["reply_markup"] = markup
        else:
            message.raw.pop("reply_markup", None)
        message.edited = True
        message.edit_count += 1
        message.edit_date = self._now()
        message.raw["edit_date"] = message.edit_date
        self._bump(message)
        return copy.deepcopy(message.raw)

    async def _edit_message_text(self, p: _Params) -> JSONDict:
        user, message = self._message_to_edit(p)
        if "text" not in message.raw:
            raise _bad_request("there is no text in the message to edit")
        text, entities, parse_mode = self._formatted(p, "text", "entities", caption=False)
        markup = self._reply_markup(p, inline_only=True)
        if (
            text == message.text
            and entities == message.entities
            and markup == message.raw.get("reply_markup")
        ):
            raise _bad_request(_NOT_MODIFIED)
        self._check_rate("editMessageText", user.id)
        message.text, message.entities, message.parse_mode = text, entities, parse_mode
        message.source_text = p.opt_str("text")
        message.raw["text"] = text
        if entities:
            message.raw["entities"] = entities
        else:
            message.raw.pop("entities", None)
        return self._apply_edit(message, markup)

    async def _edit_message_caption(self, p: _Params) -> JSONDict:
        user, message = self._message_to_edit(p)
        if message.document is None and message.photo is None:
            raise _bad_request("there is no caption in the message to edit")
        caption, entities, parse_mode = self._formatted(
            p, "caption", "caption_entities", caption=True
        )
        markup = self._reply_markup(p, inline_only=True)
        if (
            (caption or None) == message.text
            and entities == message.entities
            and markup == message.raw.get("reply_markup")
        ):
            raise _bad_request(_NOT_MODIFIED)
        self._check_rate("editMessageCaption", user.id)
        message.text, message.entities, message.parse_mode = caption or None, entities, parse_mode
        message.source_text = p.opt_str("caption")
        for key in ("caption", "caption_entities"):
            message.raw.pop(key, None)
        if caption:
            message.raw["caption"] = caption
            if entities:
                message.raw["caption_entities"] = entities
        return self._apply_edit(message, markup)

    async def _edit_message_reply_markup(self, p: _Params) -> JSONDict:
        user, message = self._message_to_edit(p)
        markup = self._reply_markup(p, inline_only=True)
        if markup == message.raw.get("reply_markup"):
            raise _bad_request(_NOT_MODIFIED)
        self._check_rate("editMessageReplyMarkup", user.id)
        return self._apply_edit(message, markup)

    async def _delete_message(self, p: _Params) -> bool:
        user = self._chat(p.chat_id(), for_sending=False)
        message_id = p.req_int("message_id")
        bot_message = self._bot_messages.get(user.id, {}).get(message_id)
        user_message = self._user_messages.get(user.id, {}).get(message_id)
        if bot_message is not None and not bot_message.deleted:
            date = bot_message.date
        elif user_message is not None:
            date = int(user_message["date"])
        else:
            raise _bad_request("message to delete not found")
        if self._now() - date > DELETE_WINDOW_SECONDS:
            raise _bad_request("message can't be deleted")
        if bot_message is not None and not bot_message.deleted:
            bot_message.deleted = True
            self._bump(bot_message)
        else:
            self._user_messages[user.id].pop(message_id)
        return True

    async def _answer_callback_query(self, p: _Params) -> bool:
        query_id = p.opt_str("callback_query_id") or ""
        if query_id not in self._pending_callbacks:
            raise _bad_request(_CALLBACK_INVALID)
        text = p.opt_str("text")
        if text is not None and len(text) > 200:
            raise _bad_request("MESSAGE_TOO_LONG")
        self._pending_callbacks.discard(query_id)
        self.callback_answers.append(
            CallbackAnswer(
                callback_query_id=query_id,
                text=text,
                show_alert=p.opt_bool("show_alert"),
                url=p.opt_str("url"),
                cache_time=p.opt_int("cache_time"),
            )
        )
        self._answers_signal.notify()
        return True

    async def _answer_inline_query(self, p: _Params) -> bool:
        query_id = p.opt_str("inline_query_id") or ""
        if query_id not in self._pending_inline:
            raise _bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        results = p.opt_json("results", list) or []
        if len(results) > 50:
            raise _bad_request("RESULTS_TOO_MUCH")
        seen: set[str] = set()
        for result in results:
            result_id = str(result.get("id", ""))
            if not result_id or len(result_id.encode()) > 64 or result_id in seen:
                raise _bad_request(
                    "RESULT_ID_INVALID" if result_id not in seen else "RESULT_ID_DUPLICATE"
                )
            seen.add(result_id)
            content = result.get("input_message_content") or {}
            if "message_text" in content:
                # The shared message is checked like a sendMessage text.
                self._formatted(_Params(content), "message_text", "entities", caption=False)
        self._pending_inline.discard(query_id)
        self.inline_answers.append(
            InlineAnswer(
                inline_query_id=query_id,
                results=results,
                cache_time=p.opt_int("cache_time"),
                is_personal=p.opt_bool("is_personal"),
                next_offset=p.opt_str("next_offset"),
                button=p.opt_json("button", dict),
            )
        )
        self._answers_signal.notify()
        return True

    # ------------------------------------------------------- HTTP control

    def _add_control_routes(self, app: web.Application) -> None:
        app.router.add_post("/control/users/{id}", self._control_user)
        app.router.add_post("/control/users/{id}/text", self._control_text)
        app.router.add_post("/control/users/{id}/press", self._control_press)
        app.router.add_post("/control/users/{id}/location", self._control_location)
        app.router.add_post("/control/users/{id}/block", self._control_block)
        app.router.add_post("/control/users/{id}/unblock", self._control_unblock)
        app.router.add_get("/control/chats/{id}/messages", self._control_messages)
        app.router.add_get("/control/callback_answers", self._control_answers)

    @staticmethod
    async def _control_body(request: web.Request) -> JSONDict:
        if not request.can_read_body:
            return {}
        try:
            body = await request.json()
        except ValueError:
            raise EmulatorError("request body must be JSON") from None
        if not isinstance(body, dict):
            raise EmulatorError("request body must be a JSON object")
        return body

    @staticmethod
    def _control_id(request: web.Request) -> int:
        raw = request.match_info["id"]
        if not _INT_RE.fullmatch(raw):
            raise EmulatorError(f"bad id {raw!r}")
        return int(raw)

    async def _control(
        self, request: web.Request, action: Callable[[int, JSONDict], Any]
    ) -> web.Response:
        """Run a control action; EmulatorError and bad input become 400 JSON errors."""
        try:
            result = action(self._control_id(request), await self._control_body(request))
            if asyncio.iscoroutine(result):
                result = await result
        except (EmulatorError, KeyError, TypeError, ValueError) as exc:
            return web.json_response({"ok": False, "description": str(exc)}, status=400)
        return _envelope(result)

    async def _control_user(self, request: web.Request) -> web.Response:
        def action(user_id: int, body: JSONDict) -> JSONDict:
            return self.user(
                user_id,
                body.get("first_name"),
                username=body.get("username"),
                last_name=body.get("last_name"),
                language_code=body.get("language_code"),
            ).to_dict()

        return await self._control(request, action)

    async def _control_text(self, request: web.Request) -> web.Response:
        return await self._control(
            request,
            lambda user_id, body: self.send_text(
                user_id, str(body["text"]), reply_to_message_id=body.get("reply_to_message_id")
            ),
        )

    async def _control_press(self, request: web.Request) -> web.Response:
        async def action(user_id: int, body: JSONDict) -> JSONDict:
            query_id = await self.press_button(
                user_id,
                int(body["message_id"]),
                str(body["callback_data"]),
                forge=bool(body.get("forge", False)),
            )
            return {"callback_query_id": query_id}

        return await self._control(request, action)

    async def _control_location(self, request: web.Request) -> web.Response:
        return await self._control(
            request,
            lambda user_id, body: self.share_location(
                user_id, float(body["latitude"]), float(body["longitude"])
            ),
        )

    async def _control_block(self, request: web.Request) -> web.Response:
        def action(user_id: int, _body: JSONDict) -> bool:
            self.block(user_id)
            return True

        return await self._control(request, action)

    async def _control_unblock(self, request: web.Request) -> web.Response:
        def action(user_id: int, _body: JSONDict) -> bool:
            self.unblock(user_id)
            return True

        return await self._control(request, action)

    async def _control_messages(self, request: web.Request) -> web.Response:
        """Messages changed after ``?after=SEQ``; ``?timeout=S`` long-polls for one."""

        async def action(chat_id: int, _body: JSONDict) -> list[JSONDict]:
            after = int(request.query.get("after", "0"))
            timeout = min(float(request.query.get("timeout", "0")), MAX_POLL_TIMEOUT)
            if timeout > 0:
                with contextlib.suppress(TimeoutError):
                    await self.wait_for_message(
                        chat_id, predicate=lambda _m: True, timeout=timeout, after=after
                    )
            return [m.to_json() for m in self.sent_messages(chat_id) if m.seq > after]

        return await self._control(request, action)

    async def _control_answers(self, _request: web.Request) -> web.Response:
        return _envelope(
            [
                {
                    "callback_query_id": a.callback_query_id,
                    "text": a.text,
                    "show_alert": a.show_alert,
                    "url": a.url,
                    "cache_time": a.cache_time,
                }
                for a in self.callback_answers
            ]
        )
