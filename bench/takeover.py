"""Takeover times: two `gridbot run` instances on one PostgreSQL, the active one killed with
SIGKILL while a broadcast drains, `--trials` times (the killed one comes back as the standby).

For each trial: seconds from the kill until the standby polls Telegram (the takeover as users
see it) and until the outbox sends again; at the end, messages lost and sent twice over all
trials (only those on the wire at a kill may arrive twice). With `--freeze` the active one is
stopped with SIGSTOP instead: its sockets stay open and silent, as the database sees an
instance cut off by a network partition, so the standby waits for the server to end the lock's
session (idle_session_timeout); the frozen one is then woken up, and replaced.

    uv run python bench/takeover.py --database-url postgresql+asyncpg://postgres@127.0.0.1/bench
"""

import argparse
import asyncio
import signal
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import SQLModel

import models.tables  # noqa: F401  (registers the tables)
from emulator import BotApiEmulator
from models import outbox
from models.db import create_engine, session_factory, transaction
from models.enums import OutboxStatus
from models.migrate import upgrade
from services.outbox import Recipient, enqueue_broadcast
from tests.bot.instances import (
    ACTIVE_LOG,
    STANDBY_LOG,
    Instance,
    first_poll_after,
    start_instance,
    stop_instance,
)
from tests.conftest import TOKEN

PER_TRIAL = 200
FIRST_CHAT = 50_000


async def first_send_after(emulator: BotApiEmulator, mark: int, seconds: float = 60) -> float:
    deadline = time.monotonic() + seconds
    seen = mark
    while time.monotonic() < deadline:
        calls = emulator.calls
        if any(method == "sendMessage" for method, _data in calls[seen:]):
            return time.monotonic()
        seen = len(calls)
        await asyncio.sleep(0.005)
    raise TimeoutError("the outbox did not send again")


async def run(url: str, trials: int, log_dir: Path, *, freeze: bool) -> int:
    engine = create_engine(url, tz=ZoneInfo("Asia/Shanghai"))
    await upgrade(engine)
    tables = ", ".join(t.name for t in SQLModel.metadata.sorted_tables)
    async with engine.begin() as connection:
        await connection.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    sessions = session_factory(engine)
    chats = range(FIRST_CHAT, FIRST_CHAT + PER_TRIAL * trials)
    takeovers: list[float] = []
    resumes: list[float] = []
    in_flight_total = 0
    async with BotApiEmulator(token=TOKEN) as emulator:
        for chat_id in chats:
            emulator.user(chat_id)
        names = iter(f"instance{n}" for n in range(trials + 2))

        async def launch() -> Instance:
            return await start_instance(
                next(names), database_url=url, emulator=emulator, log_dir=log_dir
            )

        active = await launch()
        await active.wait_for_log(ACTIVE_LOG)
        standby = await launch()
        await standby.wait_for_log(STANDBY_LOG)
        try:
            for trial in range(trials):
                batch = chats[trial * PER_TRIAL : (trial + 1) * PER_TRIAL]
                async with transaction(sessions) as session:
                    await enqueue_broadcast(
                        session=session,
                        recipients=[Recipient(chat_id=c) for c in batch],
                        text=f"第{trial + 1}次通知",
                        kind="notice",
                    )
                deadline = time.monotonic() + 60
                while sum(1 for c in batch if emulator.sent_messages(c)) < PER_TRIAL // 3:
                    if time.monotonic() > deadline:
                        raise TimeoutError(active.tail())
                    await asyncio.sleep(0.01)
                mark = len(emulator.calls)
                killed_at = time.monotonic()
                if freeze:
                    active.process.send_signal(signal.SIGSTOP)
                else:
                    active.kill()
                    await active.process.wait()
                async with sessions() as session:
                    counts = await outbox.status_counts(session=session)
                in_flight_total += counts[OutboxStatus.SENDING]
                polled, sent = await asyncio.gather(
                    first_poll_after(emulator, mark), first_send_after(emulator, mark)
                )
                takeovers.append(polled - killed_at)
                resumes.append(sent - killed_at)
                print(
                    f"trial {trial + 1}: takeover {takeovers[-1]:.2f} s, "
                    f"outbox again after {resumes[-1]:.2f} s",
                    flush=True,
                )
                await standby.wait_for_log(ACTIVE_LOG, seconds=10)
                if freeze:
                    active.process.send_signal(signal.SIGCONT)
                    await active.wait_for_log("now standby", seconds=10)
                    await stop_instance(active)
                while True:
                    async with sessions() as session:
                        counts = await outbox.status_counts(session=session)
                    if counts[OutboxStatus.PENDING] + counts[OutboxStatus.SENDING] == 0:
                        break
                    await asyncio.sleep(0.05)
                active, standby = standby, await launch()
                await standby.wait_for_log(STANDBY_LOG)
        finally:
            await stop_instance(active)
            await stop_instance(standby)
        received = Counter({c: len(emulator.sent_messages(c)) for c in chats})
    await engine.dispose()
    lost = sum(1 for c in chats if received[c] == 0)
    twice = sum(n - 1 for n in received.values() if n > 1)
    print(
        f"\n{trials} takeovers after {'SIGSTOP' if freeze else 'kill -9'}: "
        f"median {statistics.median(takeovers):.2f} s, "
        f"max {max(takeovers):.2f} s (limit 10 s); outbox again: median "
        f"{statistics.median(resumes):.2f} s, max {max(resumes):.2f} s\n"
        f"messages: {len(chats)} queued, lost {lost}, sent twice {twice} "
        f"(on the wire at the kills: {in_flight_total})"
    )
    return 0 if lost == 0 and twice <= in_flight_total and max(takeovers) < 10 else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="a PostgreSQL database to use")
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument(
        "--freeze", action="store_true", help="SIGSTOP the active instance instead of SIGKILL"
    )
    args = parser.parse_args()
    if not args.database_url.startswith("postgresql"):
        sys.exit("several instances need PostgreSQL")
    with tempfile.TemporaryDirectory() as log_dir:
        sys.exit(
            asyncio.run(run(args.database_url, args.trials, Path(log_dir), freeze=args.freeze))
        )


if __name__ == "__main__":
    main()
