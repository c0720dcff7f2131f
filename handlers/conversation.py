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

Every conversation lives in the database too (handlers.conversation_keeper): where each user
is and their drafts are written after every step and read back before every private update, so
whichever instance is active (after a takeover, after a restart) carries on where the user was.
Timeouts are decided there as well (services.conversations): a timer queues the message in the
outbox, or the user's next update is answered with it; PTB's in-memory timeout jobs are not
used. Should the database be unreachable, the process goes on from memory and writes what it
missed at the user's next update.

All of them run with `per_message=False`: their steps are text messages, one conversation per
user and chat. PTB then warns (PTBUserWarning) that the CallbackQueryHandlers in their states
are tracked per chat and user rather than per message, which is exactly what a one-draft-per-user
flow wants; the warning is silenced here, once, for that reason only.
"""

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from telegram import InlineKeyboardMarkup, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    BaseHandler,
    ConversationHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from handlers.context import GridContext, UserData
from services import conversations as store
from services import texts as shared_texts

PRIVATE = filters.ChatType.PRIVATE
# A plain text message in a private chat (a command is never a step's answer).
PRIVATE_TEXT = PRIVATE & filters.TEXT & ~filters.COMMAND

Handler = BaseHandler[Update, GridContext, Any]
Handlers = list[BaseHandler[Update, GridContext, object]]
Key = tuple[int | str, ...]


def handlers(*items: Handler) -> Handlers:
    """A list of handlers typed as ConversationHandler wants it."""
    return list(items)


class Keeper(Protocol):
    """Writes a chat's conversation to the database (handlers.conversation_keeper)."""

    async def write(self, key: Key, context: GridContext) -> None: ...

    def defer(self, key: Key) -> None: ...


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
        timeout: timedelta,
        timed_out_text: str | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.label = label
        self.restart = restart
        self.drafts = tuple(drafts)
        self.timeout = timeout
        self.timed_out_text = timed_out_text
        # What the database calls it: its name, else its label.
        self.stored_as = self.name or label
        self.codec = store.DraftCodec(self.drafts)
        # Set by `register`: without it the conversation lives in memory only.
        self.keeper: Keeper | None = None

    def is_open(self, key: Key) -> bool:
        return key in self._conversations

    def _drop_drafts(self, context: GridContext) -> None:
        if context.user_data is not None:
            for kind in self.drafts:
                context.user_data.drop(kind)

    def restore(
        self, key: Key, state: object, drafts: Sequence[object], context: GridContext
    ) -> None:
        """Take the state and drafts read from the database for `key`."""
        self._conversations[key] = state
        self._drop_drafts(context)
        for draft in drafts:
            user_data(context).keep(draft)

    def forget(self, key: Key, context: GridContext) -> None:
        """The database says it ended (elsewhere, or timed out): end it here too."""
        self._conversations.pop(key, None)
        self._drop_drafts(context)

    async def abandon(self, key: Key, context: GridContext, *, persist: bool = True) -> bool:
        """End the conversation of `key` without running its callbacks and drop its drafts
        (in the database too unless `persist` is false); whether one was open."""
        was_open = self._conversations.pop(key, None) is not None
        self._drop_drafts(context)
        if was_open and persist and self.keeper is not None:
            await self.keeper.write(key, context)
        return was_open

    async def save(self, key: Key, context: GridContext) -> None:
        """Write where `key` is in this conversation (or that it ended); raises on failure."""
        chat_id, user_id = (int(part) for part in key)
        sessions = context.bot_data.sessions
        state = self._conversations.get(key)
        if state is None:
            await store.end(sessions=sessions, chat_id=chat_id, user_id=user_id)
            return
        if not isinstance(state, int | str):
            raise TypeError(f"conversation {self.stored_as}: state {state!r} cannot be stored")
        present = (user_data(context).get(kind) for kind in self.drafts)
        now = datetime.now(UTC)
        await store.keep(
            sessions=sessions,
            chat_id=chat_id,
            user_id=user_id,
            name=self.stored_as,
            state=state,
            drafts=self.codec.dump(draft for draft in present if draft is not None),
            expires_at=now + self.timeout,
            now=now,
        )

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
            result = await super().handle_update(update, application, check_result, context)
        except ApplicationHandlerStop:
            await self._written(key, context)
            raise
        except Exception as error:
            # Written at the user's next update, not now: the step may have failed because the
            # database is locked or gone, and the user should hear so without waiting for it.
            await self.abandon(key, context, persist=False)
            if self.keeper is not None:
                self.keeper.defer(key)
            raise StepFailed(
                shared_texts.STEP_FAILED.format(label=self.label, restart=self.restart)
            ) from error
        await self._written(key, context)
        return result

    async def _written(self, key: Key, context: GridContext) -> None:
        if self.keeper is not None:
            await self.keeper.write(key, context)

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
            # Its row is replaced (or deleted) when this conversation's step is written.
            and await other.abandon(key, context, persist=False)
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
    timed_out_text: str | None = None,
    allow_reentry: bool = True,
    name: str | None = None,
) -> GuidedConversation:
    """A per-user, per-chat conversation that ends after `timeout` (seconds or a timedelta) of
    silence, its drafts dropped and the user told `timed_out_text`, if given. With
    `allow_reentry` (the default) the entry command starts over from anywhere in it.

    `label` names it in Chinese ("通知", "提问"); `restart` says how to start it again
    ("发送 /notice"); `drafts` are the kinds it keeps in `user_data`, dropped when it is ended
    by another conversation or by a failed step."""
    all_states: dict[object, Handlers] = {key: handlers(*value) for key, value in states.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBUserWarning)
        return GuidedConversation(
            label=label,
            restart=restart,
            drafts=drafts,
            timeout=timeout if isinstance(timeout, timedelta) else timedelta(seconds=timeout),
            timed_out_text=timed_out_text,
            entry_points=handlers(*entry_points),
            states=all_states,
            fallbacks=handlers(*fallbacks),
            per_user=True,
            per_chat=True,
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
    it: the draft is dropped and the user told so. Its methods are the conversation's callbacks;
    `timed_out_text` is the conversation's `timed_out_text`."""

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
