"""Sent messages are marked sent in small batches: one transaction for the messages that got
their answer within `delay` seconds of each other, instead of one per message.

At 30 messages/s a transaction per message is most of the outbox's work on the event loop the
interactive replies share. Each delivery still waits until its own row is committed as sent,
so a message is only forgotten by the worker (and its lease by the database) once the row says
so: a killed process re-sends only the messages on the wire or awaiting their batch, at most
`delay` seconds' worth more than before.
"""

import asyncio
import logging
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from models import outbox as queries
from models.db import transaction

log = logging.getLogger(__name__)

# How long a sent message may wait for others to share its transaction, and the most per batch.
SETTLE_DELAY_SECONDS = 0.2
SETTLE_BATCH = 32


class SentBatches:
    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        worker_id: str,
        clock: Callable[[], datetime],
        delay: float = SETTLE_DELAY_SECONDS,
        batch: int = SETTLE_BATCH,
    ) -> None:
        self._sessions = sessions
        self._worker_id = worker_id
        self._clock = clock
        self._delay = delay
        self._batch = batch
        self._waiting: list[tuple[int, int, asyncio.Future[None]]] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._timer: asyncio.Task[None] | None = None

    async def mark_sent(self, message_id: int, telegram_message_id: int) -> None:
        """Return once the row is committed as sent; raises what the commit raised."""
        done = asyncio.get_running_loop().create_future()
        self._waiting.append((message_id, telegram_message_id, done))
        if len(self._waiting) >= self._batch:
            self._start(self._commit(self._take()))
        elif self._timer is None:
            self._timer = self._start(self._after_delay())
        await done

    def _start(self, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def _take(self) -> list[tuple[int, int, asyncio.Future[None]]]:
        waiting, self._waiting = self._waiting, []
        return waiting

    async def _after_delay(self) -> None:
        try:
            await asyncio.sleep(self._delay)
        finally:
            self._timer = None
        await self._commit(self._take())

    async def _commit(self, waiting: list[tuple[int, int, asyncio.Future[None]]]) -> None:
        if not waiting:
            return
        try:
            async with transaction(self._sessions) as session:
                await queries.mark_sent_many(
                    session=session,
                    sent=[(message_id, telegram_id) for message_id, telegram_id, _ in waiting],
                    worker_id=self._worker_id,
                    now=self._clock(),
                )
        except Exception as exc:
            for _, _, done in waiting:
                if not done.done():
                    done.set_exception(exc)
            log.warning("outbox: could not mark %d sent messages: %s", len(waiting), exc)
            return
        for _, _, done in waiting:
            if not done.done():
                done.set_result(None)
