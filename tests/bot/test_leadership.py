"""One active instance: the PostgreSQL advisory lock on a connection of its own decides, a
standby takes over when the lock's session ends, and an instance whose proofs stop (a stalled
or cut-off process) stops being active by its own clock. SQLite refuses a second process."""

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine
from typer.testing import CliRunner

from bot.cli import app as cli
from bot.leadership import (
    Leadership,
    LeadershipConfig,
    PostgresLeadership,
    SecondInstanceError,
    SqliteLeadership,
    for_database,
)
from tests.conftest import TEST_DATABASE_URL

postgres_only = pytest.mark.skipif(
    not TEST_DATABASE_URL.startswith("postgresql"),
    reason="several instances need PostgreSQL (SQLite serves one process)",
)
# Quicker than production's, with the same proportions.
QUICK = LeadershipConfig(
    heartbeat_seconds=0.2, valid_seconds=0.6, server_idle_seconds=1.2, retry_seconds=0.2
)


async def until(condition: Callable[[], bool], seconds: float) -> float:
    """Seconds until `condition` held; fails after `seconds`."""
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < seconds, "condition not reached in time"
        await asyncio.sleep(0.02)
    return time.monotonic() - started


@pytest.fixture
async def pair() -> AsyncIterator[tuple[PostgresLeadership, PostgresLeadership]]:
    first = PostgresLeadership(TEST_DATABASE_URL, QUICK)
    second = PostgresLeadership(TEST_DATABASE_URL, QUICK)
    await first.start()
    await second.start()
    try:
        yield first, second
    finally:
        await first.stop()
        await second.stop()


def both_active(pair: tuple[Leadership, Leadership]) -> bool:
    return pair[0].active and pair[1].active


async def watch_never_both(pair: tuple[Leadership, Leadership], stop: asyncio.Event) -> int:
    """Sample both every few milliseconds until `stop`; the number of samples with two active."""
    overlaps = 0
    while not stop.is_set():
        overlaps += both_active(pair)
        await asyncio.sleep(0.005)
    return overlaps


@postgres_only
async def test_one_of_two_is_active_and_the_other_takes_over_when_it_stops(
    pair: tuple[PostgresLeadership, PostgresLeadership],
) -> None:
    first, second = pair
    await until(lambda: first.active or second.active, 5)
    await asyncio.sleep(3 * QUICK.retry_seconds)
    assert first.active != second.active
    active, standby = (first, second) if first.active else (second, first)
    changed = asyncio.ensure_future(standby.wait_changed())
    await active.stop()
    assert not active.active
    took = await until(lambda: standby.active, 5)
    await asyncio.wait_for(changed, 1)
    # The lock's release, a standby's next try, and the old holder's last proof running out.
    assert took < 2 * QUICK.retry_seconds + QUICK.valid_seconds + 0.5


@postgres_only
async def test_a_killed_lock_session_demotes_before_the_standby_takes_over(
    pair: tuple[PostgresLeadership, PostgresLeadership], engine: AsyncEngine
) -> None:
    first, second = pair
    await until(lambda: first.active or second.active, 5)
    active = first if first.active else second
    stop = asyncio.Event()
    watcher = asyncio.ensure_future(watch_never_both(pair, stop))
    async with engine.connect() as connection:
        # What a database restart or a failover does to the lock's session.
        killed = await connection.scalar(
            sa.text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE application_name LIKE 'gridbot leader%' AND pid IN"
                " (SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted)"
            )
        )
    assert killed == 1
    await until(lambda: not active.active, QUICK.valid_seconds + 1)
    await until(lambda: first.active or second.active, 5)
    stop.set()
    assert await watcher == 0


@postgres_only
async def test_a_stalled_active_instance_is_not_active_by_its_own_clock(
    pair: tuple[PostgresLeadership, PostgresLeadership],
) -> None:
    first, second = pair
    await until(lambda: first.active or second.active, 5)
    active = first if first.active else second
    # The whole event loop stalls (a frozen process, a long pause): no heartbeat runs.
    time.sleep(QUICK.valid_seconds + 0.1)  # noqa: ASYNC251 - the stall is the test
    assert not active.active
    # Past the server's idle timeout the lock's session is gone and a standby takes it.
    time.sleep(QUICK.server_idle_seconds)  # noqa: ASYNC251
    stop = asyncio.Event()
    watcher = asyncio.ensure_future(watch_never_both(pair, stop))
    await until(lambda: first.active or second.active, 5)
    await asyncio.sleep(0.5)
    stop.set()
    assert await watcher == 0
    assert first.active != second.active


def test_the_server_ends_a_silent_session_only_after_the_instance_stopped() -> None:
    with pytest.raises(ValueError, match="server_idle_seconds"):
        LeadershipConfig(heartbeat_seconds=1, valid_seconds=3, server_idle_seconds=3.5)


def test_sqlite_serves_one_process_and_says_so_in_chinese(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'gridbot.db'}"
    first = for_database(url)
    assert isinstance(first, SqliteLeadership)
    assert first.active
    with pytest.raises(SecondInstanceError, match="SQLite 只支持一个进程") as refused:
        for_database(url)
    assert "PostgreSQL" in str(refused.value)
    asyncio.run(first.stop())
    # Once the first is gone (or dead: the kernel drops the lock), a new one starts.
    again = for_database(url)
    assert again.active
    asyncio.run(again.stop())


@pytest.mark.skipif(
    TEST_DATABASE_URL.startswith("postgresql"), reason="the SQLite refusal, on SQLite"
)
def test_gridbot_run_on_sqlite_refuses_a_second_instance(database_url: str) -> None:
    first = for_database(database_url)
    try:
        result = CliRunner().invoke(
            cli,
            ["run"],
            env={"GRIDBOT_TOKEN": "4242:test-token", "GRIDBOT_DATABASE_URL": database_url},
        )
    finally:
        asyncio.run(first.stop())
    assert result.exit_code == 2
    assert "SQLite 只支持一个进程运行" in result.output
