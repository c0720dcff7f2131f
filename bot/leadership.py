"""Which instance is active: on PostgreSQL, the one holding an advisory lock on a connection of
its own; on SQLite, the only process there may be.

The active instance polls, drains the outbox and runs the duty clock; a standby loads
everything else and waits (bot/roles.py does the switching). Whoever needs to know reads
`active` (the outbox worker before every send, /readyz) or awaits `wait_changed()`.

Safety on PostgreSQL rests on two clocks that never meet:

- The active instance proves it still holds the lock every `heartbeat_seconds`. `active` is
  true only until `valid_seconds` after the start of the last proof that succeeded, whatever the
  event loop was doing meanwhile: a process cut off from the database, frozen or stalled stops
  being active by its own clock, before anybody checks.
- The lock connection is opened with `idle_session_timeout = server_idle_seconds` (and short TCP
  keepalives): the server ends a session it has not heard from for that long, which releases
  the lock. A standby trying every `retry_seconds` then takes it.

The server's idle time starts after the proof's query, so it ends the old session no earlier
than `server_idle_seconds` after the start of the last proof, while the old instance stopped at
`valid_seconds` after it: with the defaults there are 1.5 s between the old one stopping and
the lock's release. A dead process's socket is closed by its kernel, so the lock goes at once.

A session can also end at any moment for reasons of the server's own (a restart, a failover,
`pg_terminate_backend`): the lock is free at once while its old holder may still count on its
last proof. So whoever takes the lock waits `valid_seconds` holding it, then proves it again,
before it is active: by then every proof the old holder made before the lock was freed has run
out. A takeover therefore takes `valid_seconds` longer than the lock's release.
"""

import asyncio
import contextlib
import fcntl
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)

# "gridbot" in ASCII: advisory locks are per database, so one key per bot's database.
LOCK_KEY = 0x67_72_69_64_62_6F_74


@dataclass(frozen=True)
class LeadershipConfig:
    # How often the active instance proves it holds the lock.
    heartbeat_seconds: float = 0.5
    # How long one successful proof keeps the instance active (measured from its start).
    valid_seconds: float = 2.5
    # The server ends a lock session it has not heard from for this long (must exceed
    # valid_seconds by more than a heartbeat: see the module docstring).
    server_idle_seconds: float = 4.0
    # How often a standby tries to take the lock, and waits after losing its connection.
    retry_seconds: float = 1.0
    connect_seconds: float = 3.0

    def __post_init__(self) -> None:
        if self.server_idle_seconds < self.valid_seconds + self.heartbeat_seconds:
            raise ValueError("server_idle_seconds must exceed valid_seconds + heartbeat_seconds")


class SecondInstanceError(Exception):
    """Another gridbot already runs on this SQLite database; the text says so in Chinese."""


class Leadership:
    """One instance's role. This base class is always active: one process, nothing to share
    (tests and the demo); subclasses decide by a lock."""

    def __init__(self) -> None:
        self._changed = asyncio.Event()

    @property
    def active(self) -> bool:
        return True

    @property
    def mode(self) -> str:
        """For logs and /readyz: "single" (no coordination), "sqlite" or "postgresql"."""
        return "single"

    async def wait_changed(self) -> None:
        """Return when `active` changes (or may have: read it again)."""
        await self._changed.wait()

    def _signal(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def start(self) -> None:
        """Begin taking part (returns at once; on PostgreSQL the lock is taken later)."""

    async def stop(self) -> None:
        """Stop being active and give the lock back."""


class SqliteLeadership(Leadership):
    """SQLite serves one process: a second one on the same file refuses to start.

    An exclusive flock on `<database>.instance`, taken when this is built (before anything else
    starts), is held while the process lives; the kernel drops it when the process dies, even
    by kill -9. Raises SecondInstanceError when another process holds it."""

    def __init__(self, database: Path) -> None:
        super().__init__()
        self.lock_path = database.with_name(database.name + ".instance")
        self._file: IO[str] | None = self._lock()

    @property
    def mode(self) -> str:
        return "sqlite"

    def _lock(self) -> IO[str]:
        file = self.lock_path.open("a+")
        try:
            fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            file.seek(0)
            holder = file.read().strip() or "?"
            file.close()
            raise SecondInstanceError(
                f"另一个 gridbot 进程（PID {holder}）正在使用这个 SQLite 数据库，"
                "SQLite 只支持一个进程运行，本进程不启动。需要两个以上实例（主备自动切换）"
                "请改用 PostgreSQL（GRIDBOT_DATABASE_URL=postgresql+asyncpg://…）。\n"
                f"Another gridbot process (PID {holder}) uses this SQLite database; SQLite "
                "serves one process only. Use PostgreSQL to run several instances."
            ) from exc
        file.seek(0)
        file.truncate()
        file.write(str(os.getpid()))
        file.flush()
        log.info("leadership: the only instance on SQLite (%s)", self.lock_path)
        return file

    async def stop(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


_HOLDS_THIS_LOCK = sa.text(
    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
    " AND pid = pg_backend_pid() AND classid = :high AND objid = :low AND objsubid = 1"
).bindparams(high=LOCK_KEY >> 32, low=LOCK_KEY & 0xFFFFFFFF)


class PostgresLeadership(Leadership):
    """Active while this process holds `pg_try_advisory_lock(LOCK_KEY)` on its own connection
    and has proved so recently (see the module docstring)."""

    def __init__(self, database_url: str, config: LeadershipConfig | None = None) -> None:
        super().__init__()
        self.config = config or LeadershipConfig()
        self._url = database_url
        self._engine: AsyncEngine | None = None
        self._task: asyncio.Task[None] | None = None
        # Monotonic time until which the last proof makes this instance active.
        self._valid_until = 0.0
        self._held = False
        # When this instance last became active (monotonic), for the takeover's log line.
        self.became_active_at: float | None = None

    @property
    def active(self) -> bool:
        return self._held and time.monotonic() < self._valid_until

    @property
    def mode(self) -> str:
        return "postgresql"

    def _new_engine(self) -> AsyncEngine:
        milliseconds = str(int(self.config.server_idle_seconds * 1000))
        return create_async_engine(
            make_url(self._url),
            poolclass=NullPool,
            isolation_level="AUTOCOMMIT",
            connect_args={
                "timeout": self.config.connect_seconds,
                "server_settings": {
                    "application_name": f"gridbot leader {os.getpid()}",
                    "idle_session_timeout": milliseconds,
                    "idle_in_transaction_session_timeout": milliseconds,
                    # A peer that vanished without closing its socket is noticed by TCP too.
                    "tcp_keepalives_idle": "1",
                    "tcp_keepalives_interval": "1",
                    "tcp_keepalives_count": "3",
                    "tcp_user_timeout": milliseconds,
                },
            },
        )

    async def start(self) -> None:
        if self._task is not None:
            raise RuntimeError("leadership already started")
        self._engine = self._new_engine()
        self._task = asyncio.create_task(self._run(), name="leadership")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._engine is not None:
            await self._engine.dispose()
            self._engine = None

    async def _run(self) -> None:
        assert self._engine is not None
        while True:
            connection: AsyncConnection | None = None
            try:
                async with asyncio.timeout(self.config.connect_seconds):
                    connection = await self._engine.connect()
                await self._take(connection)
                await self._keep(connection)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if self._held:
                    log.error("leadership: lost the lock connection (%s): now standby", exc)
                else:
                    log.warning("leadership: cannot reach the database for the lock: %s", exc)
            finally:
                self._demote()
                if connection is not None:
                    await self._discard(connection)
            await asyncio.sleep(self.config.retry_seconds)

    async def _query(self, connection: AsyncConnection, statement: sa.TextClause) -> object:
        async with asyncio.timeout(self.config.heartbeat_seconds + self.config.valid_seconds):
            return (await connection.execute(statement, {"key": LOCK_KEY})).scalar_one()

    async def _take(self, connection: AsyncConnection) -> None:
        """Wait as a standby until the lock is ours."""
        log.info("leadership: standby, waiting for the active instance's lock")
        while True:
            taken = await self._query(connection, sa.text("SELECT pg_try_advisory_lock(:key)"))
            if taken:
                break
            await asyncio.sleep(self.config.retry_seconds)
        # The old holder may still be active by its last proof: let that run out first.
        log.info("leadership: took the lock; active in %.1f s", self.config.valid_seconds)
        await asyncio.sleep(self.config.valid_seconds)
        await self._prove(connection, self.config.heartbeat_seconds + self.config.valid_seconds)
        self._held = True
        self.became_active_at = time.monotonic()
        log.warning("leadership: took the lock, this instance is now active")
        self._signal()

    async def _prove(self, connection: AsyncConnection, within: float) -> None:
        """Check that this session holds the lock, answered within `within` seconds; on
        success the instance counts as active until `valid_seconds` after the check began."""
        asked = time.monotonic()
        async with asyncio.timeout(within):
            held = (await connection.execute(_HOLDS_THIS_LOCK)).scalar_one()
        if not held:
            raise RuntimeError("the advisory lock is no longer held by this session")
        self._valid_until = asked + self.config.valid_seconds

    async def _keep(self, connection: AsyncConnection) -> None:
        """Prove the lock every heartbeat; raise when a proof fails or comes too late."""
        while True:
            await asyncio.sleep(self.config.heartbeat_seconds)
            remaining = self._valid_until - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("the last proof of the lock is too old (stalled process)")
            await self._prove(connection, remaining)

    def _demote(self) -> None:
        if self._held:
            self._held = False
            self._valid_until = 0.0
            self._signal()

    async def _discard(self, connection: AsyncConnection) -> None:
        """Close the lock connection (which releases the lock if the server still has it)."""
        try:
            async with asyncio.timeout(1.0):
                await connection.invalidate()
                await connection.close()
        except Exception:
            log.debug("leadership: lock connection dropped uncleanly", exc_info=True)


def for_database(database_url: str, config: LeadershipConfig | None = None) -> Leadership:
    """The leadership `gridbot run` uses for this database."""
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":
        return PostgresLeadership(database_url, config)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return SqliteLeadership(Path(url.database).resolve())
    return Leadership()
