"""What every guided conversation of the bot (/activity, /ask, /notice, /report, /study, ...)
shares: private-chat filters, a typed handler list, one way to build the ConversationHandler,
and the ways a conversation keeping a draft ends without saving it (`DraftEnd`).

Two rules hold for every guided conversation (`GuidedConversation`):

- One at a time per chat. PTB keeps a conversation open until it returns END, so after /ask
  then /notice both would be open and the next text would go to whichever was registered
  first. Starting one (any entry point) therefore ends every other one open in that chat,
  drops its drafts and says so ("已结束未完成的…").
- A failed step ends the conversation. When a step raises (a Bot API error on the next
  prompt, a locked database, ...), PTB keeps the old state, whose buttons may already be gone:
  the user would be stranded. The conversation is ended, its drafts dropped, and the error
  re-raised as `StepFailed`, whose text `bot.errors` sends: what failed and how to start again.

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
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    BaseHandler,
    ConversationHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from handlers.context import GridContext, UserData
from services import texts as shared_texts

PRIVATE = filters.ChatType.PRIVATE
# A plain text message in a private chat (a command is never a step's answer).
PRIVATE_TEXT = PRIVATE & filters.TEXT & ~filters.COMMAND

Handler = BaseHandler[Update, GridContext, Any]
Handlers = list[BaseHandler[Update, GridContext, object]]
TimeoutCallback = Callable[[Update, GridContext], Coroutine[Any, Any, object]]


def handlers(*items: Handler) -> Handlers:
    """A list of handlers typed as ConversationHandler wants it."""
    return list(items)


class StepFailed(Exception):
    """A step of a guided conversation raised; the conversation was ended and its drafts
    dropped. The original error is the `__cause__`; `text` is what to tell the user."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


class GuidedConversation(ConversationHandler[GridContext]):
    """A ConversationHandler that is the only guided conversation open in its chat and that
    ends cleanly when a step fails (see the module's docstring). This class is the one place
    that touches PTB's private conversation table (`_conversations`) and its timeout jobs."""

    def __init__(
        self,
        *,
        label: str,
        restart: str,
        drafts: Sequence[type[object]],
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.label = label
        self.restart = restart
        self.drafts = tuple(drafts)

    def is_open(self, key: tuple[int | str, ...]) -> bool:
        return key in self._conversations

    async def abandon(self, key: tuple[int | str, ...], context: GridContext) -> bool:
        """End the conversation of `key` without running its callbacks and drop its drafts;
        whether one was open."""
        async with self._timeout_jobs_lock:
            job = self.timeout_jobs.pop(key, None)
        if job is not None:
            job.schedule_removal()
        was_open = self._conversations.pop(key, None) is not None
        if context.user_data is not None:
            for kind in self.drafts:
                context.user_data.drop(kind)
        return was_open

    async def handle_update(
        self,
        update: Update,
        application: Application[Any, GridContext, Any, Any, Any, Any],
        check_result: Any,
        context: GridContext,
    ) -> object | None:
        _state, key, handler, _check = check_result
        if handler in self.entry_points:
            await self._end_others(update, application, key, context)
        try:
            return await super().handle_update(update, application, check_result, context)
        except ApplicationHandlerStop:
            raise
        except Exception as error:
            await self.abandon(key, context)
            raise StepFailed(
                shared_texts.STEP_FAILED.format(label=self.label, restart=self.restart)
            ) from error

    async def _end_others(
        self,
        update: Update,
        application: Application[Any, GridContext, Any, Any, Any, Any],
        key: tuple[int | str, ...],
        context: GridContext,
    ) -> None:
        ended = [
            other.label
            for group in application.handlers.values()
            for other in group
            if isinstance(other, GuidedConversation)
            and other is not self
            and await other.abandon(key, context)
        ]
        chat = update.effective_chat
        if ended and chat is not None:
            await context.bot.send_message(
                chat.id, shared_texts.CONVERSATION_REPLACED.format(label="、".join(ended))
            )


def conversation(
    *,
    label: str,
    restart: str,
    drafts: Sequence[type[object]],
    entry_points: Sequence[Handler],
    states: Mapping[object, Sequence[Handler]],
    fallbacks: Sequence[Handler],
    timeout: float | timedelta,
    timed_out: TimeoutCallback | None = None,
    allow_reentry: bool = True,
    name: str | None = None,
) -> GuidedConversation:
    """A per-user, per-chat conversation that ends after `timeout` (seconds or a timedelta) of
    silence, calling `timed_out`, if given, to tell the user. With `allow_reentry` (the
    default) the entry command starts over from anywhere in the conversation.

    `label` names it in Chinese ("通知", "提问"); `restart` says how to start it again
    ("发送 /notice"); `drafts` are the kinds it keeps in `user_data`, dropped when it is ended
    by another conversation or by a failed step."""
    all_states: dict[object, Handlers] = {key: handlers(*value) for key, value in states.items()}
    if timed_out is not None:
        all_states[ConversationHandler.TIMEOUT] = handlers(TypeHandler(Update, timed_out))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBUserWarning)
        return GuidedConversation(
            label=label,
            restart=restart,
            drafts=drafts,
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
