"""Guided conversations kept in the database (see handlers.conversation): `restore` puts the
stored conversation of a private update's chat and user in memory before any feature sees the
update, `write` stores it after every step, and a timer ends silent ones."""

import logging
import time
from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy.exc import SQLAlchemyError
from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import TypeHandler

from handlers.context import GridApplication, GridContext
from handlers.conversation import GuidedConversation, Key
from services import conversations as store
from services import texts as shared_texts

log = logging.getLogger(__name__)

# Before every other group (features are in 0): the stored conversation is in memory when
# they look.
RESTORE_GROUP = -100
# How often silent conversations are timed out (their timeouts are minutes long).
TIMEOUT_SWEEP_SECONDS = 10.0
TIMEOUT_JOB = "conversations:timeouts"
# A write that failed is tried again before reading the database after this long.
RETRY_WRITE_SECONDS = 30.0


class ConversationKeeper:
    """Keeps an application's guided conversations in the database (see the module docstring):
    `restore` before every private update, `write` after every step, `time_out` on a timer."""

    def __init__(self, conversations: Sequence[GuidedConversation]) -> None:
        names = [c.stored_as for c in conversations]
        if len(set(names)) != len(names):
            raise ValueError(f"two guided conversations share a name: {sorted(names)}")
        self.conversations = tuple(conversations)
        self.timed_out_texts = {c.stored_as: c.timed_out_text for c in conversations}
        # Keys for which memory is newer than the database, with when a write last failed
        # (monotonic; never: 0): written again before the database is read for them.
        self._unwritten: dict[Key, float] = {}

    async def write(self, key: Key, context: GridContext) -> None:
        """Write what memory holds for `key`: the conversation open for it, or none."""
        open_one = next((c for c in self.conversations if c.is_open(key)), None)
        try:
            if open_one is not None:
                await open_one.save(key, context)
            else:
                chat_id, user_id = (int(part) for part in key)
                await store.end(
                    sessions=context.bot_data.sessions, chat_id=chat_id, user_id=user_id
                )
        except (SQLAlchemyError, OSError):
            log.warning("conversations: could not write %s; kept in memory", key, exc_info=True)
            self._unwritten[key] = time.monotonic()
            return
        self._unwritten.pop(key, None)

    def defer(self, key: Key) -> None:
        """Memory is newer than the database for `key`: write it before reading it again."""
        self._unwritten.setdefault(key, 0.0)

    async def restore(self, update: Update, context: GridContext) -> None:
        """Put what the database holds for this update's chat and user in memory."""
        chat, user = update.effective_chat, update.effective_user
        if chat is None or user is None or chat.type != ChatType.PRIVATE:
            return
        key: Key = (chat.id, user.id)
        failed_at = self._unwritten.get(key)
        if failed_at is not None:
            # Memory is what counts. A database that just failed is not asked again at once:
            # each try may wait out a lock, and the user is waiting; the step's write will do.
            if time.monotonic() - failed_at >= RETRY_WRITE_SECONDS:
                await self.write(key, context)
            return
        try:
            found = await store.opened(
                sessions=context.bot_data.sessions,
                chat_id=chat.id,
                user_id=user.id,
                now=datetime.now(UTC),
                timed_out_texts=self.timed_out_texts,
            )
        except (SQLAlchemyError, OSError):
            log.warning(
                "conversations: could not read %s; going on from memory", key, exc_info=True
            )
            return
        if isinstance(found, store.TimedOut):
            if found.text:
                await _tell(context, chat.id, found.text)
            found = None
        matched = False
        for conversation in self.conversations:
            if found is not None and found.name == conversation.stored_as:
                matched = True
                try:
                    drafts = conversation.codec.load(found.drafts)
                except store.UnreadableDraft as problem:
                    log.warning("conversations: %s of %s unreadable: %s", found.name, key, problem)
                    conversation.forget(key, context)
                    await self.write(key, context)
                    text = shared_texts.STEP_FAILED.format(
                        label=conversation.label, restart=conversation.restart
                    )
                    await _tell(context, chat.id, text)
                    continue
                conversation.restore(key, found.state, drafts, context)
            elif conversation.is_open(key):
                conversation.forget(key, context)
        if found is not None and not matched:
            # A conversation this version does not have (renamed, removed).
            await self.write(key, context)

    async def time_out(self, context: GridContext) -> None:
        """The timer: end the conversations silent past their timeout (any instance may run
        it; each one ends once, its message queued in the outbox)."""
        ended = await store.time_out_due(
            sessions=context.bot_data.sessions,
            now=datetime.now(UTC),
            timed_out_texts=self.timed_out_texts,
        )
        if ended:
            log.info("conversations: %d timed out", ended)
            context.bot_data.outbox.wake()


async def _tell(context: GridContext, chat_id: int, text: str) -> None:
    """Say why the conversation ended; the update itself is handled whatever happens here."""
    try:
        await context.bot.send_message(chat_id, text)
    except TelegramError:
        log.warning("conversations: could not tell chat %s", chat_id, exc_info=True)


def register(app: GridApplication) -> ConversationKeeper:
    """Keep every guided conversation registered so far in the database (call after all)."""
    found = [
        handler
        for group in app.handlers.values()
        for handler in group
        if isinstance(handler, GuidedConversation)
    ]
    keeper = ConversationKeeper(found)
    for conversation in found:
        conversation.keeper = keeper
    app.add_handler(TypeHandler(Update, keeper.restore), group=RESTORE_GROUP)
    if app.job_queue is not None:
        app.job_queue.run_repeating(
            keeper.time_out,
            interval=TIMEOUT_SWEEP_SECONDS,
            first=TIMEOUT_SWEEP_SECONDS,
            name=TIMEOUT_JOB,
            job_kwargs={"misfire_grace_time": int(TIMEOUT_SWEEP_SECONDS), "coalesce": True},
        )
    return keeper
