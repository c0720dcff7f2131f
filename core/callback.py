"""Typed button payloads: one small class per button family, shared by the code that builds the
button (also when the message goes out later through the outbox) and the handler that takes it.

    @dataclass(frozen=True)
    class NoticeRead(CallbackData, prefix="nr"):
        notice_id: int

    NoticeRead(7).pack()                 # "nr:7"
    NoticeRead.parse("nr:7")             # NoticeRead(notice_id=7)
    NoticeRead.parse("nr:x")             # None: forged or stale, refuse it
    CallbackQueryHandler(on_read, pattern=NoticeRead.pattern())

Fields are `int`, `str` (without ":"), `bool`, an `Enum` with str or int values, or any of these
`| None`. Telegram gives callback data at most 64 bytes, so `pack` refuses a longer payload.
"""

import dataclasses
import enum
import re
import types
import typing
from typing import Any, ClassVar, Self

# Telegram's limit on InlineKeyboardButton.callback_data, in bytes of UTF-8.
MAX_CALLBACK_BYTES = 64
SEPARATOR = ":"

_INT = re.compile(r"-?\d{1,18}")
_prefixes: dict[str, type["CallbackData"]] = {}


class CallbackDataError(ValueError):
    """A payload that cannot be packed (too long, or a field that cannot be written)."""


def _plain(annotation: Any) -> tuple[Any, bool]:
    """The field's type without `| None`, and whether None is allowed."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        if len(args) == 1:
            return args[0], True
    return annotation, False


def _encode(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, enum.Enum):
        return str(value.value)
    text = str(value)
    if SEPARATOR in text:
        raise CallbackDataError(f"callback field {text!r} contains {SEPARATOR!r}")
    return text


def _decode(text: str, annotation: Any) -> tuple[bool, object]:
    """(True, value) when `text` is a valid value of the field's type, else (False, None)."""
    kind, optional = _plain(annotation)
    if text == "":
        return (True, None) if optional else (kind is str, "")
    if kind is bool:
        return (text in ("0", "1"), text == "1")
    if kind is int:
        return (True, int(text)) if _INT.fullmatch(text) else (False, None)
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        for member in kind:
            if str(member.value) == text:
                return True, member
        return False, None
    if kind is str:
        return True, text
    raise TypeError(f"unsupported callback field type {annotation!r}")


class CallbackData:
    """Base of every button family: subclasses are frozen dataclasses with a unique `prefix`."""

    prefix: ClassVar[str]

    def __init_subclass__(cls, *, prefix: str, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not prefix or SEPARATOR in prefix or not prefix.isascii():
            raise TypeError(f"bad callback prefix {prefix!r}")
        known = _prefixes.get(prefix)
        if known is not None and known.__qualname__ != cls.__qualname__:
            raise TypeError(f"callback prefix {prefix!r} is already used by {known.__qualname__}")
        _prefixes[prefix] = cls
        cls.prefix = prefix

    def pack(self) -> str:
        values = [_encode(getattr(self, f.name)) for f in dataclasses.fields(self)]  # type: ignore[arg-type]
        data = SEPARATOR.join([self.prefix, *values])
        try:
            size = len(data.encode())
        except UnicodeEncodeError as exc:  # a lone surrogate: no UTF-8 for it, nor for Telegram
            raise CallbackDataError(f"callback data is not valid text: {data!r}") from exc
        if size > MAX_CALLBACK_BYTES:
            raise CallbackDataError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {data!r}")
        return data

    @classmethod
    def parse(cls, data: object) -> Self | None:
        """The payload, or None for anything this family did not pack (forged, stale, other)."""
        if not isinstance(data, str):
            return None
        head, _, rest = data.partition(SEPARATOR)
        if head != cls.prefix:
            return None
        fields = dataclasses.fields(cls)  # type: ignore[arg-type]
        parts = rest.split(SEPARATOR) if fields else []
        if (not fields and data != cls.prefix) or len(parts) != len(fields):
            return None
        hints = typing.get_type_hints(cls)
        values: dict[str, object] = {}
        for field, part in zip(fields, parts, strict=True):
            ok, value = _decode(part, hints[field.name])
            if not ok:
                return None
            values[field.name] = value
        try:
            return cls(**values)
        except (TypeError, ValueError):
            return None

    @classmethod
    def pattern(cls) -> re.Pattern[str]:
        """What a CallbackQueryHandler of this family matches: its prefix, whatever follows
        (the handler parses and refuses what does not parse)."""
        return re.compile(rf"^{re.escape(cls.prefix)}(?:{SEPARATOR}|$)")
