"""The one error handler: log with context, answer briefly in Chinese, never leak a traceback."""

import logging

from telegram import Update
from telegram.error import Forbidden, NetworkError, TelegramError

from handlers.context import GridContext
from services import texts as shared_texts

log = logging.getLogger(__name__)


async def on_error(update: object, context: GridContext) -> None:
    error = context.error
    if isinstance(update, Update):
        chat = update.effective_chat.id if update.effective_chat else None
        user = update.effective_user.id if update.effective_user else None
        log.error(
            "error handling update %s (chat %s, user %s)",
            update.update_id,
            chat,
            user,
            exc_info=error,
        )
    else:
        log.error("error outside an update: %r", update, exc_info=error)
    if isinstance(error, Forbidden | NetworkError) or not isinstance(update, Update):
        # The user blocked us or Telegram is unreachable: a reply would fail the same way.
        return
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(shared_texts.INTERNAL_ERROR[:200], show_alert=True)
        elif update.effective_message is not None:
            await update.effective_message.reply_text(shared_texts.INTERNAL_ERROR)
    except TelegramError:
        log.warning("could not tell the user about the error", exc_info=True)
