"""Updates of different chats are handled concurrently; updates of one chat one at a time.

PTB handles one update at a time by default, so one slow reply (a flood wait, a busy database)
holds up every user. With `concurrent_updates` and PTB's SimpleUpdateProcessor, two updates of
one user could interleave and race in their conversation. This processor keeps each chat's
updates in order and lets different chats run side by side.
"""

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

# Different chats handled at once; more wait for a free slot.
MAX_CONCURRENT_UPDATES = 64


class PerChatUpdateProcessor(BaseUpdateProcessor):
    def __init__(
        self,
        max_concurrent_updates: int = MAX_CONCURRENT_UPDATES,
        *,
        observer: Callable[[object, float], None] | None = None,
    ) -> None:
        super().__init__(max_concurrent_updates)
        # Told of every update handled and how long it took, waiting for its chat included.
        self._observer = observer
        # A lock per chat with something in progress: (lock, updates holding or awaiting it).
        self._chats: dict[int, tuple[asyncio.Lock, int]] = {}

    @staticmethod
    def _key(update: object) -> int | None:
        if not isinstance(update, Update):
            return None
        if update.effective_chat is not None:
            return update.effective_chat.id
        if update.effective_user is not None:
            # Inline queries and callback queries from inline messages carry no chat.
            return update.effective_user.id
        return None

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        started = time.perf_counter()
        try:
            await self._in_turn(update, coroutine)
        finally:
            if self._observer is not None:
                self._observer(update, time.perf_counter() - started)

    async def _in_turn(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = self._key(update)
        if key is None:
            await coroutine
            return
        lock, users = self._chats.get(key, (asyncio.Lock(), 0))
        self._chats[key] = (lock, users + 1)
        try:
            async with lock:
                await coroutine
        finally:
            lock, users = self._chats[key]
            if users == 1:
                del self._chats[key]
            else:
                self._chats[key] = (lock, users - 1)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release: updates in progress finish with the Application."""
