"""The sandbox's chats: demo people acting through the emulator, and what the page shows of
each chat (both sides, the reply keyboard, the command menu), as JSON."""

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.sandbox.cast import Cast, Character
from emulator import BotApiEmulator, EmulatorError, SentMessage
from emulator.wire import JSONDict
from models import people
from models.db import transaction
from services.onboarding import issue_invites

log = logging.getLogger(__name__)

# How long a press waits for the bot's answerCallbackQuery before the page is told nothing.
ANSWER_SECONDS = 10.0
# Fixed places the page offers to share as a location: the city's statistics bureau and a
# spot far away (a check-in with a radius accepts the first only near a venue set there).
VENUES: tuple[dict[str, str | float], ...] = (
    {"name": "乐清市统计局", "latitude": 28.1127, "longitude": 120.9836},
    {"name": "乐清市人民广场", "latitude": 28.1163, "longitude": 120.9672},
    {"name": "温州市区（远处）", "latitude": 27.9938, "longitude": 120.6994},
)


def bot_message_json(message: SentMessage) -> JSONDict:
    """A bot message as the page draws it."""
    data: JSONDict = {
        "chat": message.chat_id,
        "id": message.message_id,
        "from": "bot",
        "date": message.date,
        "text": message.text or "",
        "entities": message.entities,
        "edited": message.edited,
        "deleted": message.deleted,
        "seq": message.seq,
    }
    markup = message.reply_markup or {}
    if "inline_keyboard" in markup:
        data["buttons"] = markup["inline_keyboard"]
    if message.photo is not None:
        data["photo"] = _file_json(message.photo.file_id, message.photo.filename)
    if message.document is not None:
        data["document"] = _file_json(message.document.file_id, message.document.filename)
        data["document"]["size"] = message.document.size
    if message.location is not None:
        data["location"] = list(message.location)
    return data


def user_message_json(chat_id: int, raw: JSONDict) -> JSONDict:
    """A message the played person sent, as the page draws it."""
    data: JSONDict = {
        "chat": chat_id,
        "id": raw["message_id"],
        "from": "me",
        "date": raw["date"],
        "text": raw.get("text") or raw.get("caption") or "",
        "entities": [],
    }
    if raw.get("photo"):
        data["photo"] = _file_json(raw["photo"][-1]["file_id"], None)
    if raw.get("document"):
        document = raw["document"]
        data["document"] = _file_json(document["file_id"], document.get("file_name"))
        data["document"]["size"] = document.get("file_size", 0)
    if raw.get("location"):
        data["location"] = [raw["location"]["latitude"], raw["location"]["longitude"]]
    if data["text"].startswith("/start ") and len(data["text"]) > 20:
        # A link followed: Telegram shows the command, not the link's secret.
        link = "签到二维码" if data["text"].startswith("/start ci_") else "个人邀请链接"
        data["text"] = f"/start（打开了{link}）"
    if raw.get("contact"):
        data["text"] = f"[联系方式] {raw['contact'].get('phone_number', '')}"
    return data


def _file_json(file_id: str, name: str | None) -> JSONDict:
    return {"url": f"/api/files/{file_id}", "name": name or file_id}


@dataclass
class Events:
    """Server-sent events to every open page."""

    listeners: set[asyncio.Queue[JSONDict | None]] = field(default_factory=set)

    def publish(self, event: JSONDict) -> None:
        for queue in self.listeners:
            queue.put_nowait(event)

    def close(self) -> None:
        """End every open stream (the sandbox stops: the page's connection is let go)."""
        for queue in self.listeners:
            queue.put_nowait(None)

    @contextlib.asynccontextmanager
    async def listen(self) -> AsyncIterator[asyncio.Queue[JSONDict | None]]:
        """A queue of the events from now on; None once the sandbox stops."""
        queue: asyncio.Queue[JSONDict | None] = asyncio.Queue()
        self.listeners.add(queue)
        try:
            yield queue
        finally:
            self.listeners.discard(queue)


class Chats:
    """The demo people's chats with the bot, as the page reads and drives them."""

    def __init__(
        self,
        emulator: BotApiEmulator,
        cast: Cast,
        *,
        sessions: async_sessionmaker[AsyncSession],
        invite_ttl: timedelta,
        state_file: Path,
    ) -> None:
        self.emulator = emulator
        self.cast = cast
        self.sessions = sessions
        self.invite_ttl = invite_ttl
        self.state_file = state_file
        self.events = Events()
        self.panes: list[int] = list(cast.panes)
        self._bound: set[int] = set()
        self._binding = asyncio.Lock()
        self._watcher: asyncio.Task[None] | None = None
        if state_file.is_file():
            saved = json.loads(state_file.read_text(encoding="utf-8"))
            self.panes = [p for p in saved.get("panes", []) if p in cast.everyone] or self.panes

    def save(self) -> None:
        self.state_file.write_text(json.dumps({"panes": self.panes}), encoding="utf-8")

    def character(self, telegram_id: int) -> Character:
        try:
            return self.cast.everyone[telegram_id]
        except KeyError:
            raise EmulatorError(f"no demo person {telegram_id}") from None

    # --- binding ----------------------------------------------------------------------------

    async def bind_all(self, telegram_ids: list[int]) -> None:
        """Bind whoever of these is not bound yet, each by following their own invitation."""
        async with transaction(self.sessions) as session:
            live = await people.live_telegram_ids(
                session=session, person_ids=[self.character(t).person_id for t in telegram_ids]
            )
        self._bound |= set(live.values())
        for telegram_id in telegram_ids:
            await self.bind(telegram_id)

    async def bind(self, telegram_id: int) -> None:
        """Follow the person's invitation link for them (as a newcomer would), once."""
        character = self.character(telegram_id)
        self.emulator.user(telegram_id, first_name=character.name)
        async with self._binding:
            if telegram_id in self._bound:
                return
            async with transaction(self.sessions) as session:
                person = await people.person_by_id(session=session, person_id=character.person_id)
                assert person is not None
                [invite] = await issue_invites(
                    session=session, persons=[person], ttl=self.invite_ttl, now=datetime.now(UTC)
                )
            mark = self.emulator.checkpoint()
            await self.send_text(telegram_id, f"/start {invite.token}")
            with contextlib.suppress(TimeoutError):
                await self.emulator.wait_for_message(telegram_id, after=mark, timeout=15)
            self._bound.add(telegram_id)

    # --- what the page reads ----------------------------------------------------------------

    def chat(self, telegram_id: int) -> JSONDict:
        """Everything a pane shows: who, both sides of the chat, keyboard and menu."""
        character = self.character(telegram_id)
        messages = [bot_message_json(m) for m in self.emulator.sent_messages(telegram_id)]
        messages += [
            user_message_json(telegram_id, raw) for raw in self.emulator.user_messages(telegram_id)
        ]
        messages.sort(key=lambda m: m["id"])
        return {
            "person": character.to_json(),
            "messages": messages,
            **self.extras(telegram_id),
        }

    def extras(self, telegram_id: int) -> JSONDict:
        """The chat's reply keyboard and command menu (each bot message may change them)."""
        commands = self.emulator.commands({"type": "chat", "chat_id": telegram_id})
        if not commands:
            commands = self.emulator.commands()
        return {"keyboard": self.emulator.reply_keyboard(telegram_id), "commands": commands}

    def people(self, query: str, limit: int = 50) -> list[JSONDict]:
        """Demo people whose name, title or mobile contains `query` (the pane picker)."""
        found = [
            c
            for c in self.cast.everyone.values()
            if not query or query in c.name or query in c.title or query in c.mobile
        ]
        return [c.to_json() for c in found[:limit]]

    # --- what the page does -----------------------------------------------------------------

    def _published(self, telegram_id: int, raw: JSONDict) -> JSONDict:
        self.events.publish({"type": "message", **user_message_json(telegram_id, raw)})
        return raw

    async def send_text(self, telegram_id: int, text: str) -> JSONDict:
        raw = await self.emulator.send_text(telegram_id, text)
        return self._published(telegram_id, raw)

    async def share_location(self, telegram_id: int, latitude: float, longitude: float) -> JSONDict:
        raw = await self.emulator.share_location(telegram_id, latitude, longitude)
        return self._published(telegram_id, raw)

    async def share_contact(self, telegram_id: int) -> JSONDict:
        """The person shares their own phone number (a request_contact button)."""
        character = self.character(telegram_id)
        raw = await self.emulator.send_contact(
            telegram_id, character.mobile, first_name=character.name
        )
        return self._published(telegram_id, raw)

    async def send_file(
        self, telegram_id: int, filename: str, data: bytes, *, caption: str | None, photo: bool
    ) -> JSONDict:
        if photo:
            raw = await self.emulator.send_photo(telegram_id, filename, data, caption=caption)
        else:
            raw = await self.emulator.send_document(telegram_id, filename, data, caption=caption)
        return self._published(telegram_id, raw)

    async def press(self, telegram_id: int, message_id: int, callback_data: str) -> JSONDict:
        """Press an inline button; the bot's answer (a toast or an alert) if it gave one."""
        try:
            query_id = await self.emulator.press_button(telegram_id, message_id, callback_data)
        except EmulatorError:
            return {"text": "这个按钮已失效：消息已更新或删除，请使用最新消息中的按钮。"}
        try:
            answer = await self.emulator.wait_for_callback_answer(query_id, timeout=ANSWER_SECONDS)
        except TimeoutError:
            return {"text": None}
        return {"text": answer.text, "show_alert": answer.show_alert, "url": answer.url}

    # --- live updates -----------------------------------------------------------------------

    def start_watching(self) -> None:
        """Publish every change of a bot message (in any chat) as it happens."""
        self._watcher = asyncio.create_task(self._watch(), name="sandbox-watch")

    async def stop_watching(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watcher

    async def _watch(self) -> None:
        seen = self.emulator.checkpoint()
        while True:
            now = await self.emulator.wait_for_change(seen, timeout=30)
            for message in self.emulator.changed_messages(seen):
                self.events.publish(
                    {
                        "type": "message",
                        **bot_message_json(message),
                        **self.extras(message.chat_id),
                    }
                )
            seen = now
