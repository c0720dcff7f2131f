"""A local stand-in for the Telegram Bot API (tests, benchmarks, the demo)."""

from emulator.html import parse_html
from emulator.limits import utf16_len
from emulator.records import (
    CallbackAnswer,
    EmulatorError,
    FakeUser,
    InlineAnswer,
    SentFile,
    SentMessage,
    UploadedFile,
)
from emulator.server import BotApiEmulator

__all__ = [
    "BotApiEmulator",
    "CallbackAnswer",
    "EmulatorError",
    "FakeUser",
    "InlineAnswer",
    "SentFile",
    "SentMessage",
    "UploadedFile",
    "parse_html",
    "utf16_len",
]
