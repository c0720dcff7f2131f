"""Engine settings: SQLite in WAL mode (synchronous=NORMAL) with a busy timeout and enforced
foreign keys."""

from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from models.db import SQLITE_BUSY_TIMEOUT_MS, create_engine, session_factory
from models.tables import Person
from tests.conftest import TZ


async def test_sqlite_runs_in_wal_mode_with_busy_timeout(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'wal.db'}", tz=TZ)
    try:
        async with engine.connect() as connection:
            mode = (await connection.execute(sa.text("PRAGMA journal_mode"))).scalar_one()
            timeout = (await connection.execute(sa.text("PRAGMA busy_timeout"))).scalar_one()
            foreign_keys = (await connection.execute(sa.text("PRAGMA foreign_keys"))).scalar_one()
            synchronous = (await connection.execute(sa.text("PRAGMA synchronous"))).scalar_one()
    finally:
        await engine.dispose()
    assert mode == "wal"
    assert timeout == SQLITE_BUSY_TIMEOUT_MS
    assert foreign_keys == 1
    assert synchronous == 1  # NORMAL


async def test_naive_datetimes_are_refused(engine: AsyncEngine) -> None:
    async with session_factory(engine)() as session:
        session.add(Person(name="张三", mobile="13800000000", created_at=datetime(2026, 1, 1)))  # noqa: DTZ001
        with pytest.raises(sa.exc.StatementError, match="naive datetime"):
            await session.flush()
