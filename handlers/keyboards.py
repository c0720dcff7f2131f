"""Neutral buttons (core.buttons) as python-telegram-bot keyboards."""

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from core.buttons import Button, Keyboard


def button(item: Button) -> InlineKeyboardButton:
    if item.data is not None:
        return InlineKeyboardButton(item.text, callback_data=item.data.pack())
    return InlineKeyboardButton(item.text, url=item.url)


def markup(rows: Keyboard | None) -> InlineKeyboardMarkup | None:
    """The inline keyboard for `rows`; None when there are no buttons."""
    if not rows:
        return None
    return InlineKeyboardMarkup([[button(item) for item in row] for row in rows])
