"""The emulator's configuration and recorded state: users, chats, messages, files, updates."""

import asyncio
import contextlib
import copy
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from emulator.limits import TokenBucket
from emulator.records import (
    CallbackAnswer,
    EmulatorError,
    FakeUser,
    InlineAnswer,
    SentFile,
    SentMessage,
)
from emulator.wire import ApiError, JSONDict, bad_request, words

# Update types delivered when allowed_updates was never given (Bot API default).
DEFAULT_ALLOWED_UPDATES = words(
    "message edited_message channel_post edited_channel_post business_connection "
    "business_message edited_business_message deleted_business_messages inline_query "
    "chosen_inline_result callback_query shipping_query pre_checkout_query "
    "purchased_paid_media poll poll_answer my_chat_member chat_join_request "
    "chat_boost removed_chat_boost"
)


@dataclass
class InjectedFailure:
    """The answer fail_next() queued for the next calls of a method."""

    status: int
    description: str
    parameters: JSONDict | None
    delay: float
    remaining: int


class Signal:
    """Broadcast wake-up that sync code can fire.

    asyncio.Condition.notify_all needs its lock, i.e. an await, but block() and
    friends are synchronous; so each notify() sets the current Event and installs a
    fresh one.  Waiters check their predicate, then wait on the Event they saw: in a
    single-threaded loop no notification can slip in between.
    """

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        event, self._event = self._event, asyncio.Event()
        event.set()

    async def wait(self, seconds: float) -> None:
        """Return on the next notify() or after ``seconds``."""
        event = self._event
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await event.wait()


class EmulatorState:
    """What every part of the emulator shares: its options and everything it recorded.

    The options are plain attributes and may be changed at any time (see BotApiEmulator).
    """

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        *,
        bot_username: str = "emulator_bot",
        bot_first_name: str = "Emulator Bot",
        bot_id: int | None = None,
        can_join_groups: bool = True,
        can_read_all_group_messages: bool = False,
        supports_inline_queries: bool = False,
        host: str = "127.0.0.1",
        port: int = 0,
        rate_limit_per_second: float | None = None,
        per_chat_rate_limit_per_second: float | None = None,
        per_chat_burst: float = 1.0,
        strict_html: bool = True,
        known_chats_only: bool = True,
        clock: Callable[[], float] = time.time,
    ) -> None:
        prefix = token.split(":", 1)[0]
        self.token = token
        self.bot_id = bot_id if bot_id is not None else (int(prefix) if prefix.isdigit() else 1)
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.can_join_groups = can_join_groups
        self.can_read_all_group_messages = can_read_all_group_messages
        self.supports_inline_queries = supports_inline_queries
        self.host = host
        # The bound port once started; port 0 asks the OS for a free one on each start().
        self.port = port
        self._requested_port = port
        self.rate_limit_per_second = rate_limit_per_second
        self.per_chat_rate_limit_per_second = per_chat_rate_limit_per_second
        self.per_chat_burst = per_chat_burst
        # Paid broadcasts (allow_paid_broadcast): their own limit, and how many were sent
        # (each costs the bot's owner 0.1 Telegram Star).
        self.paid_rate_limit_per_second = 1000.0
        self.paid_messages = 0
        self.strict_html = strict_html
        # When False, sending to an unknown positive chat id creates that user on the fly.
        self.known_chats_only = known_chats_only
        self.clock = clock

        self.calls: list[tuple[str, dict[str, Any]]] = []
        # Every send refused with 429 by the rate limits above: (method, chat_id).
        self.flood_refusals: list[tuple[str, int]] = []
        self.callback_answers: list[CallbackAnswer] = []
        self.inline_answers: list[InlineAnswer] = []

        self._users: dict[int, FakeUser] = {}
        self._next_message_id: dict[int, int] = {}
        self._bot_messages: dict[int, dict[int, SentMessage]] = {}
        self._user_messages: dict[int, dict[int, JSONDict]] = {}
        self._reply_keyboards: dict[int, JSONDict] = {}
        self._files: dict[str, SentFile] = {}
        self._file_paths: dict[str, SentFile] = {}
        self._commands: dict[
            tuple[tuple[str, int | str | None, int | None], str], list[JSONDict]
        ] = {}
        self._menu_buttons: dict[int | None, JSONDict] = {}
        self._bot_texts: dict[tuple[str, str], str] = {}
        self._pending_callbacks: set[str] = set()
        self._pending_inline: set[str] = set()
        self._failures: dict[str, list[InjectedFailure]] = {}
        self._buckets: dict[int | str | None, TokenBucket] = {}

        self._updates: list[JSONDict] = []
        self._next_update_id = 1
        self._allowed_updates: frozenset[str] = DEFAULT_ALLOWED_UPDATES
        self._poll_generation = 0
        self._seq = 0
        self._next_callback_id = 1
        self._next_file_number = 1

        # The webhook (emulator/api/webhook.py): empty url = none, updates go to getUpdates.
        self.webhook_url = ""
        self.webhook_secret: str | None = None
        # Seconds before a delivery answered non-2xx (or not at all) is tried again.
        self.webhook_retry_seconds = 0.2
        # Every POST: (update_id, HTTP status, or the error when there was no answer).
        self.webhook_deliveries: list[tuple[int, int | str]] = []
        self._webhook_answered: dict[int, JSONDict] = {}
        self._webhook_task: asyncio.Task[None] | None = None
        self._webhook_error: tuple[int, str] | None = None

        self._updates_signal = Signal()
        self._changes_signal = Signal()
        self._answers_signal = Signal()
        self._closing = False

    def user(
        self,
        user_id: int,
        first_name: str | None = None,
        username: str | None = None,
        last_name: str | None = None,
        language_code: str | None = None,
        phone_number: str | None = None,
    ) -> FakeUser:
        """Register (or update and return) a user; its private chat becomes known."""
        existing = self._users.get(user_id)
        if existing is not None:
            if first_name is not None:
                existing.first_name = first_name
            existing.username = username or existing.username
            existing.last_name = last_name or existing.last_name
            existing.language_code = language_code or existing.language_code
            existing.phone_number = phone_number or existing.phone_number
            return existing
        if user_id <= 0:
            raise EmulatorError(f"user ids must be positive, got {user_id}")
        user = FakeUser(
            id=user_id,
            first_name=first_name or f"User{user_id}",
            username=username,
            last_name=last_name,
            language_code=language_code,
            phone_number=phone_number,
        )
        self._users[user_id] = user
        return user

    def _known_user(self, user_id: int) -> FakeUser:
        user = self._users.get(user_id)
        if user is None:
            raise EmulatorError(f"unknown user {user_id}; register it with emu.user()")
        return user

    def _active_user(self, user_id: int) -> FakeUser:
        user = self._users.get(user_id) or self.user(user_id)
        if user.blocked:
            raise EmulatorError(f"user {user_id} blocked the bot; unblock() first")
        return user

    def _new_message_id(self, chat_id: int) -> int:
        message_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = message_id + 1
        return message_id

    def _now(self) -> int:
        return int(self.clock())

    def _bot_user(self) -> JSONDict:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    def _enqueue(self, payload: JSONDict) -> JSONDict:
        update = {"update_id": self._next_update_id, **payload}
        self._next_update_id += 1
        self._updates.append(update)
        self._updates_signal.notify()
        return update

    def _enqueue_my_chat_member(self, user: FakeUser, old: str, new: str) -> None:
        def member(status: str) -> JSONDict:
            data: JSONDict = {"status": status, "user": self._bot_user()}
            if status == "kicked":
                data["until_date"] = 0
            return data

        self._enqueue(
            {
                "my_chat_member": {
                    "chat": user.chat_dict(),
                    "from": user.to_dict(),
                    "date": self._now(),
                    "old_chat_member": member(old),
                    "new_chat_member": member(new),
                }
            }
        )

    def _user_message(
        self, user_id: int, content: JSONDict, reply_to_message_id: int | None
    ) -> JSONDict:
        user = self._active_user(user_id)
        replied = None
        if reply_to_message_id is not None:
            replied = self._any_message(user_id, reply_to_message_id)
            if replied is None:
                raise EmulatorError(f"chat {user_id} has no message {reply_to_message_id}")
        message: JSONDict = {
            "message_id": self._new_message_id(user_id),
            "from": user.to_dict(),
            "chat": user.chat_dict(),
            "date": self._now(),
            **content,
        }
        if replied is not None:
            message["reply_to_message"] = replied
        self._user_messages.setdefault(user_id, {})[message["message_id"]] = message
        self._enqueue({"message": message})
        return copy.deepcopy(message)

    def _any_message(self, chat_id: int, message_id: int) -> JSONDict | None:
        """A copy fit for ``reply_to_message`` (which Telegram never nests)."""
        bot_message = self._bot_messages.get(chat_id, {}).get(message_id)
        found: JSONDict | None = None
        if bot_message is not None and not bot_message.deleted:
            found = bot_message.raw
        else:
            found = self._user_messages.get(chat_id, {}).get(message_id)
        if found is None:
            return None
        replied = copy.deepcopy(found)
        replied.pop("reply_to_message", None)
        return replied

    def _store_file(
        self, folder: str, filename: str | None, mime_type: str | None, data: bytes | None
    ) -> SentFile:
        number = self._next_file_number
        self._next_file_number += 1
        suffix = ""
        if filename and "." in filename:
            suffix = "." + filename.rsplit(".", 1)[1]
        stored = SentFile(
            file_id=f"EMU{folder[:3].upper()}{number:06d}",
            file_unique_id=f"U{number:06d}",
            file_path=f"{folder}/file_{number}{suffix}",
            filename=filename,
            mime_type=mime_type,
            size=len(data) if data is not None else 0,
            data=data,
        )
        self._files[stored.file_id] = stored
        self._file_paths[stored.file_path] = stored
        return stored

    @staticmethod
    def _document_dict(stored: SentFile) -> JSONDict:
        data: JSONDict = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.size,
        }
        if stored.filename:
            data["file_name"] = stored.filename
        if stored.mime_type:
            data["mime_type"] = stored.mime_type
        return data

    def _bump(self, message: SentMessage) -> None:
        self._seq += 1
        message.seq = self._seq
        self._changes_signal.notify()

    def _chat(self, chat_id: int, *, for_sending: bool = True) -> FakeUser:
        user = self._users.get(chat_id)
        if user is None:
            if self.known_chats_only or chat_id <= 0:
                raise bad_request("chat not found")
            user = self.user(chat_id)
        if for_sending and user.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return user
