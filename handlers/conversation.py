"""What every guided conversation of the bot (/activity, /ask, /notice, /report, /study, ...)
shares: private-chat filters, a typed handler list and one way to build the ConversationHandler.

All of them run with `per_message=False`: their steps are text messages, one conversation per
user and chat. PTB then warns (PTBUserWarning) that the CallbackQueryHandlers in their states
are tracked per chat and user rather than per message, which is exactly what a one-draft-per-user
flow wants; the warning is silenced here, once, for that reason only.
"""

import warnings
from collections.abc import Callable, Coroutine, Mapping, Sequence
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, ConversationHandler, TypeHandler, filters
from telegram.warnings import PTBUserWarning

from bot.context import GridContext

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
