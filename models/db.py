"""Async engine and session factory for SQLite (aiosqlite) and PostgreSQL (asyncpg)."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, tzinfo
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel.ext.asyncio.session import AsyncSession

SQLITE_BUSY_TIMEOUT_MS = 5000

# PostgreSQL ends what a vanished instance left behind (a frozen process, one cut off by a
# network partition): a transaction idle this long is aborted, releasing its row locks, and a
# dead peer is noticed by TCP keepalives. No healthy step idles in a transaction for a minute.
POSTGRES_SESSION_SETTINGS = {
    "idle_in_transaction_session_timeout": "60000",
    "tcp_keepalives_idle": "10",
    "tcp_keepalives_interval": "2",
    "tcp_keepalives_count": "3",
}


class city_today(FunctionElement[Any]):
    """Today's date in the city's time zone, in SQL (the `tz` given to `create_engine`). The
    database's own CURRENT_DATE is UTC's on SQLite: from 16:00 to 24:00 UTC it is already the
    next day in Asia/Shanghai, and an enterprise leaving "today" would still count."""

    type = sa.Date()
    inherit_cache = True


@compiles(city_today)
def _today_from_the_session_zone(_element: city_today, _compiler: SQLCompiler, **_kw: Any) -> str:
    # PostgreSQL: CURRENT_DATE is the date in the session's TimeZone, set from `tz`.
    return "CURRENT_DATE"


@compiles(city_today, "sqlite")
def _today_from_python(_element: city_today, _compiler: SQLCompiler, **_kw: Any) -> str:
    return "gridbot_today()"


def create_engine(url: str, *, tz: tzinfo, **kwargs: Any) -> AsyncEngine:
    """Create the engine; SQLite gets WAL mode (synchronous=NORMAL), a busy timeout and
    enforced foreign keys; PostgreSQL sessions get POSTGRES_SESSION_SETTINGS. `tz` is the
    city's time zone: what `city_today()` means in SQL (a PostgreSQL session's TimeZone)."""
    if sa.engine.make_url(url).get_backend_name() == "postgresql":
        connect_args = dict(kwargs.pop("connect_args", {}))
        connect_args["server_settings"] = {
            **POSTGRES_SESSION_SETTINGS,
            "TimeZone": getattr(tz, "key", None) or str(tz),
            **connect_args.get("server_settings", {}),
        }
        kwargs["connect_args"] = connect_args
    engine = create_async_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":

        @sa.event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            # In WAL mode NORMAL syncs at checkpoints, not at every commit: a crash of the
            # process loses nothing and the file never corrupts; only a power loss may undo the
            # last commits. FULL made every commit an fsync (1.5 ms here, far more on slow
            # disks) taken under the one write lock that the outbox's 30 settles a second and
            # every user's write queue for.
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()
            dbapi_connection.create_function(
                "gridbot_today", 0, lambda: datetime.now(tz).date().isoformat()
            )

    return engine


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


@asynccontextmanager
async def transaction(
    sessions: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """One short unit of work: commit on success, roll back on any error."""
    async with sessions() as session, session.begin():
        yield session


async def select_rows(session: AsyncSession, statement: sa.Select[*tuple[Any, ...]]) -> list[Any]:
    """The rows of a wide column select, in the session's transaction.

    sqlmodel's typed select() stops at four columns, so these go through the session's
    connection; it flushes first so that pending ORM rows count.
    """
    await session.flush()
    connection = await session.connection()
    return list((await connection.execute(statement)).all())
