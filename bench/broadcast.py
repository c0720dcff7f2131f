"""Benchmark: a broadcast to 5,000 chats through the real bot and the outbox, against the emulator
enforcing Telegram's flood limits (30 messages/s per bot, 1/s per chat, 429 beyond).

    uv run python bench/broadcast.py [--recipients 5000] [--storm 0] [--rate 25]
                                     [--database-url URL]

Goal: a sustained rate of 25 messages/s (the outbox's own cap), nothing lost, nothing sent
twice. Meanwhile a user asks /help every two seconds: interactive replies must keep headroom.
`--storm K` also injects K extra 429 answers half-way; `--rate` overrides the outbox's pace
(e.g. 1000 leaves pacing to PTB's AIORateLimiter alone). The database must have an empty
outbox; by default a temporary SQLite file is used.
"""

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.app import build_application
from bot.runner import polling
from core.settings import load_settings
from emulator import BotApiEmulator
from models import outbox
from models.db import create_engine, session_factory, transaction
from models.enums import OutboxStatus
from models.migrate import upgrade
from services.outbox import Recipient, enqueue_broadcast
from services.outbox.pacing import RATE_PER_SECOND
from services.outbox.worker import OutboxConfig

TOKEN = "4242:bench-token"
GOAL_RATE = RATE_PER_SECOND
FIRST_CHAT = 100_000
PROBE_USER = 1


async def main(recipients: int, storm: int, rate: float, database_url: str | None) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        url = database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        engine = create_engine(url)
        await upgrade(engine)
        sessions = session_factory(engine)
        async with sessions() as session:
            if sum((await outbox.status_counts(session=session)).values()):
                print("the outbox of this database is not empty", file=sys.stderr)
                return 2
        try:
            return await run(sessions, url, recipients=recipients, storm=storm, rate=rate)
        finally:
            await engine.dispose()


async def probe(emulator: BotApiEmulator, latencies: list[float]) -> None:
    """A user asks for /help every two seconds: how long interactive replies wait."""
    emulator.user(PROBE_USER)
    while True:
        await asyncio.sleep(2)
        mark = emulator.checkpoint()
        asked = time.perf_counter()
        await emulator.send_text(PROBE_USER, "/help")
        await emulator.wait_for_message(PROBE_USER, after=mark, timeout=30)
        latencies.append(time.perf_counter() - asked)


async def run(
    sessions: async_sessionmaker[AsyncSession],
    url: str,
    *,
    recipients: int,
    storm: int,
    rate: float,
) -> int:
    chat_ids = range(FIRST_CHAT, FIRST_CHAT + recipients)
    async with BotApiEmulator(
        token=TOKEN, rate_limit_per_second=30, per_chat_rate_limit_per_second=1
    ) as emulator:
        for chat_id in chat_ids:
            emulator.user(chat_id)
        settings = load_settings(
            token=TOKEN, database_url=url, api_base_url=emulator.base_url, quiet_hours=False
        )
        app = build_application(settings, outbox=OutboxConfig(rate_per_second=rate))
        async with polling(app, poll_timeout=1):
            started = time.perf_counter()
            async with transaction(sessions) as session:
                await enqueue_broadcast(
                    session=session,
                    recipients=[Recipient(chat_id=chat_id) for chat_id in chat_ids],
                    text="<b>【统计局通知】</b>请于本月10日前完成联网直报。",
                    kind="notice",
                )
            queued = time.perf_counter() - started
            app.bot_data.outbox.wake()
            latencies: list[float] = []
            prober = asyncio.create_task(probe(emulator, latencies))
            stormed = storm == 0
            # When each message arrived, in order (the emulator counts every send).
            arrivals: list[float] = []
            while len(arrivals) < recipients:
                await asyncio.sleep(0.005)
                now = time.perf_counter()
                delivered = emulator.checkpoint() - len(emulator.sent_messages(PROBE_USER))
                arrivals.extend([now] * (delivered - len(arrivals)))
                if not stormed and len(arrivals) >= recipients // 2:
                    emulator.fail_next("sendMessage", 429, retry_after=1, times=storm)
                    stormed = True
                if now - started > 10 * recipients / min(rate, 30) + 60:
                    print(f"stalled after {len(arrivals)} messages", file=sys.stderr)
                    return 1
            prober.cancel()
            await asyncio.gather(prober, return_exceptions=True)
            stats = app.bot_data.outbox.stats
            # Let the last messages be marked sent.
            async with sessions() as session:
                for _ in range(200):
                    counts = await outbox.status_counts(session=session)
                    if counts[OutboxStatus.SENT] == recipients:
                        break
                    await asyncio.sleep(0.05)
        sends = [
            call
            for call in emulator.calls
            if call[0] == "sendMessage" and call[1].get("chat_id") != PROBE_USER
        ]
        received = Counter(len(emulator.sent_messages(chat_id)) for chat_id in chat_ids)

    total = arrivals[-1] - started
    first, last = arrivals[recipients // 10], arrivals[recipients * 9 // 10 - 1]
    sustained = (recipients * 9 // 10 - 1 - recipients // 10) / (last - first)
    overall = (recipients - 1) / (arrivals[-1] - arrivals[0])
    lost, twice = received[0], sum(n - 1 for n in received.elements() if n > 1)
    rejected = len(sends) - sum(n * count for n, count in received.items())
    print(f"database: {url.split(':', 1)[0]}")
    print(f"recipients: {recipients}  (queued in one transaction in {queued:.2f} s)")
    print(f"outbox pace: {rate:g}/s; emulator: 30/s per bot, 1/s per chat; storm: {storm} x 429")
    print(f"delivered: {recipients - lost} in {total:.1f} s after queueing")
    print(
        f"sustained rate (10%-90% of messages): {sustained:.2f} messages/s (goal >= {GOAL_RATE:g})"
    )
    print(f"overall rate (first to last message): {overall:.2f} messages/s")
    print(f"broadcast sendMessage calls: {len(sends)}; answered 429: {rejected}")
    print(f"outbox flood waits (429 past PTB's limiter): {stats.flood_waits}")
    if latencies:
        print(
            f"interactive /help replies during the broadcast: {len(latencies)}, "
            f"median {statistics.median(latencies) * 1000:.0f} ms, "
            f"max {max(latencies) * 1000:.0f} ms"
        )
    final = {status.value: n for status, n in counts.items() if n}
    print(f"lost: {lost}  sent twice: {twice}  outbox: {final}")
    ok = lost == 0 and twice == 0 and counts[OutboxStatus.SENT] == recipients
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recipients", type=int, default=5000)
    parser.add_argument("--storm", type=int, default=0, help="extra 429 answers half-way")
    parser.add_argument("--rate", type=float, default=RATE_PER_SECOND, help="outbox pace, /s")
    parser.add_argument("--database-url")
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.recipients, args.storm, args.rate, args.database_url)))
