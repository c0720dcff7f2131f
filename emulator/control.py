"""The Python control API: act as users, then read what the bot sent and answered."""

import asyncio
import copy
import mimetypes
import re
from collections.abc import Callable
from typing import TypeVar

from emulator.api.files import image_size
from emulator.limits import MAX_USER_UPLOAD_BYTES, reply_button_text, utf16_len
from emulator.params import scope_key
from emulator.records import CallbackAnswer, EmulatorError, InlineAnswer, SentFile, SentMessage
from emulator.state import EmulatorState
from emulator.wire import JSONDict

# Mirrors tdlib's bot-command matcher: not glued to a word, '/', '<' or '>' on either side.
_BOT_COMMAND_RE = re.compile(r"(?<![\w/<>])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/<>])")

_Answer = TypeVar("_Answer")


class ControlApi(EmulatorState):
    """What tests and the demo call: users' actions, and the bot's output as snapshots."""

    def block(self, user_id: int) -> None:
        """The user blocks the bot: sends fail with 403, a my_chat_member update is queued."""
        user = self._known_user(user_id)
        if not user.blocked:
            user.blocked = True
            self._enqueue_my_chat_member(user, "member", "kicked")

    def unblock(self, user_id: int) -> None:
        """The user unblocks the bot (queues the matching my_chat_member update)."""
        user = self._known_user(user_id)
        if user.blocked:
            user.blocked = False
            self._enqueue_my_chat_member(user, "kicked", "member")

    async def send_text(
        self, user_id: int, text: str, *, reply_to_message_id: int | None = None
    ) -> JSONDict:
        """The user sends ``text``; commands get bot_command entities. Returns the Message."""
        if not text:
            raise EmulatorError("text must not be empty")
        content: JSONDict = {"text": text}
        entities = [
            {
                "type": "bot_command",
                "offset": utf16_len(text[: m.start()]),
                "length": utf16_len(m[0]),
            }
            for m in _BOT_COMMAND_RE.finditer(text)
        ]
        if entities:
            content["entities"] = entities
        return self._user_message(user_id, content, reply_to_message_id)

    async def share_location(self, user_id: int, latitude: float, longitude: float) -> JSONDict:
        """The user shares a location. Returns the Message."""
        return self._user_message(
            user_id, {"location": {"latitude": latitude, "longitude": longitude}}, None
        )

    async def send_document(
        self,
        user_id: int,
        filename: str,
        data: bytes,
        *,
        mime_type: str | None = None,
        caption: str | None = None,
    ) -> JSONDict:
        """The user uploads a file; the bot can fetch it via getFile. Returns the Message.

        Like Telegram, a file over 20 MB arrives (with its file_size) but getFile refuses it.
        """
        if len(data) > MAX_USER_UPLOAD_BYTES:
            raise EmulatorError("users cannot send files over 2000 MB")
        stored = self._store_file(
            "documents",
            filename,
            mime_type or mimetypes.guess_type(filename)[0] or "application/octet-stream",
            data,
        )
        content: JSONDict = {"document": self._document_dict(stored)}
        if caption:
            content["caption"] = caption
        return self._user_message(user_id, content, None)

    async def send_photo(
        self, user_id: int, filename: str, data: bytes, *, caption: str | None = None
    ) -> JSONDict:
        """The user sends a picture (one size, as the bot sees it); returns the Message."""
        width, height = image_size(data) or (0, 0)
        stored = self._store_file(
            "photos", filename, mimetypes.guess_type(filename)[0] or "image/jpeg", data
        )
        stored.width, stored.height = width, height
        content: JSONDict = {
            "photo": [
                {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "file_size": stored.size,
                    "width": width,
                    "height": height,
                }
            ]
        }
        if caption:
            content["caption"] = caption
        return self._user_message(user_id, content, None)

    async def send_contact(
        self,
        user_id: int,
        phone_number: str | None = None,
        *,
        own: bool = True,
        contact_user_id: int | None = None,
        first_name: str | None = None,
        forwarded_from: int | None = None,
    ) -> JSONDict:
        """The user sends a contact card. Returns the Message.

        ``own``: their own number, as the request_contact button shares it (contact.user_id
        is the sender; the number defaults to the user's ``phone_number``). Otherwise a card
        from the address book: contact.user_id is ``contact_user_id`` (None for someone not
        on Telegram). ``forwarded_from`` adds a forward_origin from that user.
        """
        user = self._active_user(user_id)
        if own:
            phone_number = phone_number or user.phone_number
            contact_user_id = user.id
            first_name = first_name or user.first_name
        if not phone_number:
            raise EmulatorError(f"user {user_id} has no phone_number; pass one")
        contact: JSONDict = {"phone_number": phone_number, "first_name": first_name or "联系人"}
        if own and user.last_name:
            contact["last_name"] = user.last_name
        if contact_user_id is not None:
            contact["user_id"] = contact_user_id
        content: JSONDict = {"contact": contact}
        if forwarded_from is not None:
            origin = self.user(forwarded_from)
            content["forward_origin"] = {
                "type": "user",
                "date": self._now(),
                "sender_user": origin.to_dict(),
            }
        return self._user_message(user_id, content, None)

    async def press_reply_button(self, user_id: int, label: str) -> JSONDict:
        """The user taps a button of the chat's reply keyboard: its text is sent, or with
        ``request_contact`` the user's own contact. Returns the Message."""
        keyboard = self._reply_keyboards.get(user_id)
        buttons = [b for row in (keyboard or {}).get("keyboard", []) for b in row]
        button = next((b for b in buttons if reply_button_text(b) == label), None)
        if button is None:
            labels = [reply_button_text(b) for b in buttons]
            raise EmulatorError(f"chat {user_id} shows no reply button {label!r}; has {labels}")
        if isinstance(button, dict) and button.get("request_contact"):
            return await self.send_contact(user_id)
        return await self.send_text(user_id, label)

    async def send_raw_message(self, user_id: int, content: JSONDict) -> JSONDict:
        """The user sends a message with arbitrary Bot API fields (contact, sticker ...)."""
        return self._user_message(user_id, dict(content), None)

    async def press_button(
        self, user_id: int, message_id: int, callback_data: str, *, forge: bool = False
    ) -> str:
        """The user presses an inline button; returns the callback query id.

        Unless ``forge`` is set, the bot's message must exist and carry a button with
        exactly this callback_data.  Forged presses on unknown or deleted messages embed
        an inaccessible message (``date`` 0), like Telegram does for old messages.
        """
        user = self._active_user(user_id)
        message = self._bot_messages.get(user_id, {}).get(message_id)
        if not forge:
            if message is None or message.deleted:
                raise EmulatorError(f"chat {user_id} has no bot message {message_id}")
            available = [b.get("callback_data") for b in message.buttons if "callback_data" in b]
            if callback_data not in available:
                raise EmulatorError(
                    f"message {message_id} has no button with callback_data {callback_data!r}; "
                    f"available: {available}"
                )
        if message is None or message.deleted:
            embedded: JSONDict = {"chat": user.chat_dict(), "message_id": message_id, "date": 0}
        else:
            embedded = copy.deepcopy(message.raw)
        query_id = str(self._next_callback_id)
        self._next_callback_id += 1
        self._pending_callbacks.add(query_id)
        self._enqueue(
            {
                "callback_query": {
                    "id": query_id,
                    "from": user.to_dict(),
                    "message": embedded,
                    "chat_instance": str(-(10**12) - user.id),
                    "data": callback_data,
                }
            }
        )
        return query_id

    async def send_inline_query(self, user_id: int, query: str, *, offset: str = "") -> str:
        """The user types ``@bot query`` in any chat; returns the inline query id."""
        user = self._active_user(user_id)
        query_id = f"iq{self._next_callback_id}"
        self._next_callback_id += 1
        self._pending_inline.add(query_id)
        self._enqueue(
            {
                "inline_query": {
                    "id": query_id,
                    "from": user.to_dict(),
                    "query": query,
                    "offset": offset,
                    "chat_type": "sender",
                }
            }
        )
        return query_id

    def sent_messages(self, chat_id: int) -> list[SentMessage]:
        """Snapshots of every message the bot sent to the chat, by message_id."""
        return [copy.deepcopy(m) for m in self._bot_messages.get(chat_id, {}).values()]

    def user_messages(self, chat_id: int) -> list[JSONDict]:
        """Copies of every message the user sent in the chat, by message_id (they share
        message ids with the bot's messages, so both sorted by id read as the chat)."""
        return [copy.deepcopy(m) for m in self._user_messages.get(chat_id, {}).values()]

    def changed_messages(self, after: int) -> list[SentMessage]:
        """Snapshots of the bot's messages in every chat sent, edited or deleted after the
        checkpoint `after`, earliest change first (a live view of all chats)."""
        changed = [
            m for chat in self._bot_messages.values() for m in chat.values() if m.seq > after
        ]
        return [copy.deepcopy(m) for m in sorted(changed, key=lambda m: m.seq)]

    async def wait_for_change(
        self,
        after: int,
        timeout: float,  # noqa: ASYNC109 - the test-facing contract is a plain timeout
    ) -> int:
        """Return the checkpoint once any bot message changed after `after`, or when
        `timeout` seconds passed without a change."""
        if self._seq <= after:
            await self._changes_signal.wait(timeout)
        return self._seq

    def checkpoint(self) -> int:
        """Current change counter; pass as ``after=`` to wait only for later changes."""
        return self._seq

    def commands(self, scope: JSONDict | None = None, language_code: str = "") -> list[JSONDict]:
        """Commands stored by setMyCommands for exactly this scope and language."""
        return copy.deepcopy(self._commands.get((scope_key(scope), language_code), []))

    def reply_keyboard(self, chat_id: int) -> JSONDict | None:
        """The reply keyboard currently shown in the chat, if any."""
        return copy.deepcopy(self._reply_keyboards.get(chat_id))

    def file(self, file_id: str) -> SentFile:
        """A file known to the emulator."""
        try:
            return self._files[file_id]
        except KeyError:
            raise EmulatorError(f"unknown file_id {file_id!r}") from None

    def pending_updates(self) -> list[JSONDict]:
        """Updates not yet confirmed by the bot."""
        return copy.deepcopy(self._updates)

    async def wait_for_message(
        self,
        chat_id: int,
        predicate: Callable[[SentMessage], bool] | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 - the test-facing contract is a plain timeout
        after: SentMessage | int | None = None,
    ) -> SentMessage:
        """Wait until the bot sent or changed a matching message in the chat.

        Only messages whose last send/edit/delete happened after ``after`` (a
        SentMessage snapshot or a ``checkpoint()``) count; the earliest such change
        wins.  Without ``predicate`` deleted messages are skipped.  Raises
        TimeoutError listing what the chat did receive.
        """
        after_seq = after.seq if isinstance(after, SentMessage) else (after or 0)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            candidates = sorted(
                (m for m in self._bot_messages.get(chat_id, {}).values() if m.seq > after_seq),
                key=lambda m: m.seq,
            )
            for message in candidates:
                if predicate(message) if predicate is not None else not message.deleted:
                    return copy.deepcopy(message)
            remaining = deadline - loop.time()
            if remaining <= 0:
                received = [m.describe() for m in self._bot_messages.get(chat_id, {}).values()]
                listing = "\n  ".join(received) if received else "(nothing)"
                raise TimeoutError(
                    f"no matching bot message in chat {chat_id} after seq {after_seq} "
                    f"within {timeout}s; the chat received:\n  {listing}"
                )
            await self._changes_signal.wait(remaining)

    async def wait_for_callback_answer(
        self,
        callback_id: str,
        timeout: float = 5.0,  # noqa: ASYNC109 - the test-facing contract is a plain timeout
    ) -> CallbackAnswer:
        """Wait until the bot answered the callback query."""

        def find() -> CallbackAnswer | None:
            return next(
                (a for a in self.callback_answers if a.callback_query_id == callback_id), None
            )

        def answered() -> str:
            return f"answered: {[a.callback_query_id for a in self.callback_answers]}"

        return await self._wait_for_answer(find, timeout, f"callback query {callback_id}", answered)

    async def wait_for_inline_answer(
        self,
        query_id: str,
        timeout: float = 5.0,  # noqa: ASYNC109 - the test-facing contract is a plain timeout
    ) -> InlineAnswer:
        """Wait until the bot answered the inline query."""

        def find() -> InlineAnswer | None:
            found = next((a for a in self.inline_answers if a.inline_query_id == query_id), None)
            return copy.deepcopy(found)

        def answered() -> str:
            return f"answered: {[a.inline_query_id for a in self.inline_answers]}"

        return await self._wait_for_answer(find, timeout, f"inline query {query_id}", answered)

    async def _wait_for_answer(
        self,
        find: Callable[[], _Answer | None],
        timeout: float,  # noqa: ASYNC109 - see the public waits
        what: str,
        answered: Callable[[], str],
    ) -> _Answer:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (found := find()) is None:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(f"{what} not answered within {timeout}s; {answered()}")
            await self._answers_signal.wait(remaining)
        return found
