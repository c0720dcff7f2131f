"""Writers to one SQLite file take turns on the event loop, first come first served.

SQLite lets one transaction write at a time. A session writes when its update's work begins
and commits when it ends, after its replies went out: meanwhile every other writer (the outbox
settling its 30 messages a second, other users checking in) is refused with SQLITE_BUSY and
retried by SQLite's busy handler, which sleeps in steps that grow to 100 ms whatever the moment
the lock frees. Here a connection about to write first waits for its turn on an asyncio queue:
it wakes the moment the writer before it commits or rolls back.

This only orders writers; SQLite still does the locking. A turn not given back within
`timeout` (a connection dropped without commit or rollback) is passed by, and SQLite's own busy
handling applies as before. SQLite serves one process (bot.leadership), so one queue per
engine and event loop sees every writer.
"""

import asyncio
import logging
import sqlite3
from typing import Any

import aiosqlite
from aiosqlite.context import contextmanager

log = logging.getLogger(__name__)

# Statements that take SQLite's write lock (the sqlite3 module opens a transaction before DML).
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "ALTER", "DROP")


def is_write(statement: str) -> bool:
    return statement.lstrip()[:7].upper().startswith(_WRITES)


class WriteTurns:
    """The queue of one engine's writers, per event loop (tests run several loops)."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._locks: dict[asyncio.AbstractEventLoop, asyncio.Lock] = {}
        self.holder: TurnTakingConnection | None = None

    def _lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        if loop not in self._locks:
            self._locks = {
                known: lock for known, lock in self._locks.items() if not known.is_closed()
            }
            self._locks[loop] = asyncio.Lock()
        return self._locks[loop]

    async def take(self, connection: "TurnTakingConnection") -> None:
        if self.holder is connection:
            return
        lock = self._lock()
        stale = self.holder
        try:
            async with asyncio.timeout(self.timeout):
                await lock.acquire()
        except TimeoutError:
            if stale is not None and self.holder is stale:
                log.warning("sqlite: a writer kept its turn for %.0f s, passed by", self.timeout)
                self.give_back(stale)
            return
        self.holder = connection

    def give_back(self, connection: "TurnTakingConnection") -> None:
        if self.holder is not connection:
            return
        self.holder = None
        lock = self._locks.get(asyncio.get_running_loop())
        if lock is not None and lock.locked():
            lock.release()


class TurnTakingCursor(aiosqlite.Cursor):
    _conn: "TurnTakingConnection"

    async def execute(self, sql: str, parameters: Any = None) -> aiosqlite.Cursor:
        if is_write(sql):
            await self._conn.turns.take(self._conn)
        if parameters is None:
            return await super().execute(sql)
        return await super().execute(sql, parameters)

    async def executemany(self, sql: str, parameters: Any) -> aiosqlite.Cursor:
        if is_write(sql):
            await self._conn.turns.take(self._conn)
        return await super().executemany(sql, parameters)


class TurnTakingConnection(aiosqlite.Connection):
    """An aiosqlite connection that waits for its turn before its transaction's first write
    and gives the turn back when the transaction ends."""

    def __init__(self, database: str, turns: WriteTurns, **kwargs: Any) -> None:
        def connector() -> sqlite3.Connection:
            connection: sqlite3.Connection = sqlite3.connect(database, **kwargs)
            return connection

        super().__init__(connector, iter_chunk_size=64)
        self.turns = turns
        # As SQLAlchemy does for the connections it makes: the worker thread must not keep
        # the interpreter alive.
        self._thread.daemon = True

    @contextmanager
    async def cursor(self) -> aiosqlite.Cursor:
        cursor: sqlite3.Cursor = await self._execute(self._conn.cursor)  # type: ignore[no-untyped-call]
        return TurnTakingCursor(self, cursor)

    async def commit(self) -> None:
        try:
            await super().commit()
        finally:
            self.turns.give_back(self)

    async def rollback(self) -> None:
        try:
            await super().rollback()
        finally:
            self.turns.give_back(self)

    async def close(self) -> None:
        try:
            await super().close()
        finally:
            self.turns.give_back(self)


def turn_taking_connector(turns: WriteTurns) -> Any:
    """For connect_args["async_creator_fn"] of an aiosqlite engine."""

    def connect(database: str, **kwargs: Any) -> TurnTakingConnection:
        return TurnTakingConnection(database, turns, **kwargs)

    return connect
