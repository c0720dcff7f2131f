"""Editing a message the user pressed again: an edit that changes nothing is refused by
Telegram with "message is not modified", which is the state wanted, not a failure."""

from collections.abc import Iterator
from contextlib import contextmanager

from telegram.error import BadRequest


@contextmanager
def unless_unchanged() -> Iterator[None]:
    """Around an edit: swallow Telegram's "not modified", let every other error through."""
    try:
        yield
    except BadRequest as exc:
        if "not modified" not in exc.message.lower():
            raise
