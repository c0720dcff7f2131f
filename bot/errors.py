"""The one error handler: log with context, answer briefly in Chinese, never leak a traceback.

Every update that fails gets the apology in its chat: as the alert of a button press not yet
answered, else as a new message (a press the handler already answered cannot be answered
again). Only Forbidden is left without a reply: the user blocked us, nothing can reach them.
BadRequest is a NetworkError in PTB, so "unreachable Telegram" is not a reason to stay silent
either: trying once costs a logged warning at worst.

A failed step of a guided conversation arrives as `StepFailed` (the conversation already
ended): the log gets the original error, the user the step's own text (how to start again).
"""

import logging

from telegram import Update
from telegram.error import BadRequest, Forbidden, TelegramError

from handlers.context import GridContext
from handlers.conversation import StepFailed
from services import texts as shared_texts

log = logging.getLogger(__name__)

# How much of a command or button's data the log keeps: enough to find the feature.
_CONTEXT_CHARS = 64


def _describe(update: Update) -> str:
    """What the user did, for the log: the button's data or the command, never free text."""
    if update.callback_query is not None:
        return f"button {(update.callback_query.data or '')[:_CONTEXT_CHARS]!r}"
    message = update.effective_message
    if message is not None and message.text and message.text.startswith("/"):
        return f"command {message.text.split()[0][:_CONTEXT_CHARS]!r}"
    if update.inline_query is not None:
        return "inline query"
    return "message" if message is not None else "update"


async def on_error(update: object, context: GridContext) -> None:
    error = context.error
    text = shared_texts.INTERNAL_ERROR
    if isinstance(error, StepFailed):
        text = error.text
        error = error.__cause__ if isinstance(error.__cause__, Exception) else error
    if not isinstance(update, Update):
        log.error("error outside an update: %r", update, exc_info=error)
        return
    chat = update.effective_chat.id if update.effective_chat else None
    user = update.effective_user.id if update.effective_user else None
    log.error(
        "error handling update %s (%s, chat %s, user %s): %s",
        update.update_id,
        _describe(update),
        chat,
        user,
        type(error).__name__,
        exc_info=error,
    )
    if isinstance(error, Forbidden):
        return
    try:
        await _apologise(update, context, chat, text)
    except TelegramError:
        log.warning(
            "could not tell the user about the error (update %s, chat %s)",
            update.update_id,
            chat,
            exc_info=True,
        )


async def _apologise(update: Update, context: GridContext, chat: int | None, text: str) -> None:
    query = update.callback_query
    if query is not None:
        try:
            await query.answer(text[:200], show_alert=True)
            return
        except BadRequest:
            # Already answered by the handler, or too old: fall through to a new message.
            pass
        if chat is None and update.effective_user is not None:
            # A button under an inline message has no chat: the private chat is the user's id.
            chat = update.effective_user.id
    if chat is not None:
        await context.bot.send_message(chat, text)
