"""Faults the fault-injection suite puts in an update's way: a Bot API error on the bot's reply
(400, 403, 429, 5xx, a timeout) through the emulator, or a database that cannot be reached
(the Application's session factory pointed at a server or file that is not there)."""

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from emulator import BotApiEmulator
from handlers.context import GridApplication
from models.db import session_factory

FAULTS = ("400", "403", "429", "502", "timeout", "database")
# The suite runs the bot with this read timeout, and "timeout" holds the answer longer.
READ_TIMEOUT = 0.5
# How long a test waits for the bot to settle a case: generous, for a loaded CI machine.
SLOW = 15.0


def unreachable_url(database_url: str) -> str:
    """The same kind of database, somewhere nothing answers."""
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":
        return url.set(host="127.0.0.1", port=1).render_as_string(hide_password=False)
    return "sqlite+aiosqlite:////nonexistent-gridbot-dir/gridbot.db"


@asynccontextmanager
async def injected(
    fault: str,
    *,
    emulator: BotApiEmulator,
    app: GridApplication,
    database_url: str,
    method: str,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[None]:
    """While the block runs, the next `method` call fails as `fault` says, or the database is
    unreachable for every update."""
    if fault == "database":
        broken = create_async_engine(unreachable_url(database_url))
        with monkeypatch.context() as patch:
            patch.setattr(app.bot_data, "_sessions", session_factory(broken))
            try:
                yield
            finally:
                await broken.dispose()
        return
    if fault == "timeout":
        emulator.fail_next(method, 502, delay=READ_TIMEOUT * 3)
    elif fault == "403":
        emulator.fail_next(method, 403, description="Forbidden: bot was blocked by the user")
    elif fault == "400":
        emulator.fail_next(method, 400, description="Bad Request: message is too long")
    else:
        emulator.fail_next(method, int(fault))
    try:
        yield
    finally:
        # A call the update never made must not fail the next case.
        emulator.clear_failures()


class ErrorLog:
    """Counts what `bot.errors` logged, to know when a failed update has been handled."""

    def __init__(self, caplog: pytest.LogCaptureFixture) -> None:
        self._caplog = caplog
        caplog.set_level(logging.WARNING, logger="bot.errors")

    def count(self) -> int:
        return sum(1 for r in self._caplog.records if r.name == "bot.errors")


async def settle(condition: Callable[[], bool], *, seconds: float = 15.0) -> bool:
    """Wait until `condition` holds (or give up after `seconds`)."""
    for _ in range(int(seconds / 0.02)):
        if condition():
            return True
        await asyncio.sleep(0.02)
    return condition()
