"""SQLite's writers take turns on the event loop: a second writer waits for the first one's
commit on a queue (not in SQLite's sleeping busy handler), and a turn never given back is
passed by after the timeout."""

import asyncio
from pathlib import Path

import sqlalchemy as sa

from models.db import create_engine
from models.sqlite_turns import TurnTakingConnection, WriteTurns, is_write


def test_writes_are_told_from_reads() -> None:
    assert is_write("INSERT INTO person (name) VALUES (?)")
    assert is_write("  update outbox_message SET status=?")
    assert is_write("DELETE FROM conversation_state")
    assert is_write("CREATE TABLE t (id INTEGER)")
    assert not is_write("SELECT person.id FROM person")
    assert not is_write("PRAGMA journal_mode=WAL")


async def test_a_second_writer_waits_for_the_first_ones_commit(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'turns.db'}")
    try:
        async with engine.begin() as setup:
            await setup.execute(sa.text("CREATE TABLE t (id INTEGER PRIMARY KEY, who TEXT)"))
        order: list[str] = []
        first_wrote = asyncio.Event()
        release_first = asyncio.Event()
        holders: list[TurnTakingConnection] = []
        second_read = asyncio.Event()

        async def first() -> None:
            async with engine.connect() as connection:
                await connection.execute(sa.text("INSERT INTO t (who) VALUES ('first')"))
                raw = (await connection.get_raw_connection()).driver_connection
                assert isinstance(raw, TurnTakingConnection)
                holders.append(raw)
                first_wrote.set()
                await release_first.wait()
                order.append("first commits")
                await connection.commit()

        async def second() -> None:
            await first_wrote.wait()
            async with engine.connect() as connection:
                await connection.execute(sa.text("SELECT count(*) FROM t"))  # reads never wait
                order.append("second read")
                second_read.set()
                await connection.execute(sa.text("INSERT INTO t (who) VALUES ('second')"))
                order.append("second wrote")
                await connection.commit()

        tasks = [asyncio.create_task(first()), asyncio.create_task(second())]
        await second_read.wait()
        await asyncio.sleep(0.1)
        assert order == ["second read"]  # its write waits for its turn, on the queue
        assert holders[0].turns.holder is holders[0]
        release_first.set()
        await asyncio.gather(*tasks)
        assert order == ["second read", "first commits", "second wrote"]
        assert holders[0].turns.holder is None
        async with engine.connect() as connection:
            rows = (await connection.execute(sa.text("SELECT who FROM t ORDER BY id"))).all()
        assert [row.who for row in rows] == ["first", "second"]
    finally:
        await engine.dispose()


async def test_a_turn_never_given_back_is_passed_by() -> None:
    turns = WriteTurns(timeout=0.05)
    held, waiting = object(), object()
    await turns.take(held)  # type: ignore[arg-type]
    await turns.take(waiting)  # type: ignore[arg-type]
    # The stale holder was passed by: the queue is free for the next writer.
    assert turns.holder is None
    await turns.take(waiting)  # type: ignore[arg-type]
    assert turns.holder is waiting
