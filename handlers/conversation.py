"""What every guided conversation of the bot (/activity, /ask, /notice, /report, /study, ...)
shares: private-chat filters, a typed handler list, one way to build the ConversationHandler,
and the ways a conversation keeping a draft ends without saving it (`DraftEnd`).

All of them run with `per_message=False`: their steps are text messages, one conversation per
user and chat. PTB then warns (PTBUserWarning) that the CallbackQueryHandlers in their states
are tracked per chat and user rather than per message, which is exactly what a one-draft-per-user
flow wants; the warning is silenced here, once, for that reason only.
"""

import warnings
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from telegram import InlineKeyboardMarkup, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.ext import BaseHandler, ConversationHandler, TypeHandler, filters
from telegram.warnings import PTBUserWarning

from handlers.context import GridContext, UserData

PRIVATE = filters.ChatType.PRIVATE
# A plain text message in a private chat (a command is never a step's answer).
PRIVATE_TEXT = PRIVATE & filters.TEXT & ~filters.COMMAND

Handler = BaseHandler[Update, GridContext, Any]
Handlers = list[BaseHandler[Update, GridContext, object]]
TimeoutCallback = Callable[[Update, GridContext], Coroutine[Any, Any, object]]


def handlers(*items: Handler) -> Handlers:
    """A list of handlers typed as ConversationHandler wants it."""
    return list(items)


def conversation(
    *,
    entry_points: Sequence[Handler],
    states: Mapping[object, Sequence[Handler]],
    fallbacks: Sequence[Handler],
    timeout: float | timedelta,
    timed_out: TimeoutCallback | None = None,
    allow_reentry: bool = True,
    name: str | None = None,
) -> ConversationHandler[GridContext]:
    """A per-user, per-chat conversation that ends after `timeout` (seconds or a timedelta) of
    silence, calling `timed_out`, if given, to tell the user. With `allow_reentry` (the
    default) the entry command starts over from anywhere in the conversation."""
    all_states: dict[object, Handlers] = {key: handlers(*value) for key, value in states.items()}
    if timed_out is not None:
        all_states[ConversationHandler.TIMEOUT] = handlers(TypeHandler(Update, timed_out))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBUserWarning)
        return ConversationHandler(
            entry_points=handlers(*entry_points),
            states=all_states,
            fallbacks=handlers(*fallbacks),
            per_user=True,
            per_chat=True,
            conversation_timeout=timeout,
            allow_reentry=allow_reentry,
            name=name,
        )


def user_data(context: GridContext) -> UserData:
    """The user's data, where a conversation keeps its draft (always there in a private chat)."""
    assert context.user_data is not None
    return context.user_data


async def reply(
    update: Update,
    text: str,
    markup: InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None = None,
) -> None:
    """Answer the user's message in HTML."""
    assert update.effective_message is not None
    await update.effective_message.reply_html(text, reply_markup=markup)


@dataclass(frozen=True)
class DraftEnd:
    """How a conversation that keeps a draft of class `kind` in `user_data` ends without saving
    it: the draft is dropped and the user told so. Its methods are the conversation's callbacks."""

    kind: type[object]
    cancelled_text: str
    timed_out_text: str

    async def cancelled(self, update: Update, context: GridContext) -> int:
        """/cancel."""
        user_data(context).drop(self.kind)
        await reply(update, self.cancelled_text)
        return ConversationHandler.END

    async def declined(self, update: Update, context: GridContext) -> int:
        """The preview's [取消] button: the preview itself says the draft was dropped."""
        query = update.callback_query
        assert query is not None
        user_data(context).drop(self.kind)
        await query.answer()
        await query.edit_message_text(self.cancelled_text)
        return ConversationHandler.END

    async def timed_out(self, update: Update, context: GridContext) -> None:
        """The conversation's timeout (PTB passes the last update of the conversation)."""
        user_data(context).drop(self.kind)
        if update.effective_chat is not None:
            await context.bot.send_message(update.effective_chat.id, self.timed_out_text)
