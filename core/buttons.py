"""Neutral button descriptions: what a service says a message's buttons are, without Telegram.

Handlers turn them into the library's keyboards (`handlers.keyboards.markup`); the outbox
stores them in the Bot API's JSON form (`inline_keyboard_json`) to send later.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from core.callback import CallbackData


@dataclass(frozen=True)
class Button:
    """One inline button: a callback (`data`) or a link (`url`), never both."""

    text: str
    data: CallbackData | None = None
    url: str | None = None

    def __post_init__(self) -> None:
        if (self.data is None) == (self.url is None):
            raise ValueError(f"button {self.text!r} needs exactly one of data or url")


Keyboard = Sequence[Sequence[Button]]
"""Rows of buttons, top to bottom."""


def deep_link(bot_username: str, payload: str) -> str:
    """The t.me link that opens this bot with `/start payload`."""
    return f"https://t.me/{bot_username.lstrip('@')}?start={payload}"


def inline_keyboard_json(rows: Keyboard | None) -> dict[str, Any] | None:
    """The Bot API's `reply_markup` object for `rows` (None for no buttons)."""
    if not rows:
        return None
    return {
        "inline_keyboard": [
            [
                {"text": b.text, "callback_data": b.data.pack()}
                if b.data is not None
                else {"text": b.text, "url": b.url}
                for b in row
            ]
            for row in rows
        ]
    }
