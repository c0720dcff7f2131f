"""Benchmark: a broadcast to 5,000 chats through the real bot and the outbox, against the emulator
enforcing Telegram's flood limits (30 messages/s per bot, 1/s per chat, 429 beyond), with and
without interactive replies going on.

    uv run python bench/broadcast.py [--recipients 5000] [--repliers 10] [--reply-every 2]
                                     [--baseline 30] [--storm 0] [--rate 30]
                                     [--compare-rate 25] [--database-url URL] [--process]

Three phases in one run, one bot: (1) replies alone for `--baseline` seconds: `--repliers`
users each ask /help every `--reply-every` seconds (their reply latency without a broadcast);
(2) the broadcast alone; (3) a second broadcast to other chats while the same users ask;
(4) with `--compare-rate R` (default 25, the outbox's pace before it took the whole budget; 0
skips it) the same as (3) by a bot whose outbox keeps to R/s, for the replies' p99 side by side.
By default the bot runs in this process, on the emulator's event loop; with `--process` it is
a real `gridbot run` in a process of its own, as in production where Telegram's side of each
send is not our CPU's work (phase 4 is then skipped: it needs a second bot in this process).
Goals: a sustained rate >= 28.5 messages/s alone (the whole free budget of 30/s); with replies,
the outbox takes what they leave (outbox + replies about 30/s) and the replies' p99 stays as in
phase 1 within noise; nothing lost, nothing sent twice. `--storm K` injects K extra 429
answers half-way through each broadcast; `--rate` overrides the outbox's pace. The database
must have an empty outbox; by default a temporary SQLite file is used.
"""

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.app import build_application
from bot.runner import polling
from core.settings import load_settings
from emulator import BotApiEmulator
from handlers.context import GridApplication
from models import outbox
from models.db import create_engine, session_factory, transaction
from models.enums import OutboxStatus
from models.migrate import upgrade
from services.outbox import Recipient, enqueue_broadcast
from services.outbox.pacing import RATE_PER_SECOND
from services.outbox.worker import OutboxConfig
from tests.bot.instances import ACTIVE_LOG, start_instance, stop_instance

TOKEN = "4242:bench-token"
GOAL_RATE = 28.5
FREE_LIMIT = 30
FIRST_CHAT = 100_000
FIRST_REPLIER = 1


@dataclass
class Replies:
    """The repliers' measurements: latencies (s) and when each reply arrived."""

    latencies: list[float] = field(default_factory=list)
    arrived: list[float] = field(default_factory=list)


@dataclass
class Drain:
    sustained: float
    overall: float
    seconds: float
    lost: int
    twice: int
    sends: int
    rejected: int
    window: tuple[float, float]


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def percentile_interval(
    values: Sequence[float], share: float, rounds: int = 2000
) -> tuple[float, float]:
    """A 95% bootstrap interval of a percentile: how much it moves by chance alone."""
    picks = sorted(percentile(random.choices(values, k=len(values)), share) for _ in range(rounds))
    return picks[int(0.025 * rounds)], picks[int(0.975 * rounds) - 1]


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) process `pid` used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def replier(emulator: BotApiEmulator, user: int, every: float, replies: Replies) -> None:
    """A user asking /help every `every` seconds (first at a random offset)."""
    await asyncio.sleep(random.uniform(0, every))
    while True:
        mark = emulator.checkpoint()
        asked = time.perf_counter()
        await emulator.send_text(user, "/help")
        await emulator.wait_for_message(user, after=mark, timeout=30)
        now = time.perf_counter()
        replies.latencies.append(now - asked)
        replies.arrived.append(now)
        await asyncio.sleep(max(0.0, every - (now - asked)))


def start_repliers(
    emulator: BotApiEmulator, users: range, every: float, replies: Replies
) -> list[asyncio.Task[None]]:
    return [asyncio.create_task(replier(emulator, user, every, replies)) for user in users]


async def stop(tasks: list[asyncio.Task[None]]) -> None:
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def waker(app: GridApplication | None) -> Callable[[], None]:
    """How a queued broadcast is started: the in-process bot's outbox is woken; a bot in
    its own process finds it at its next poll of the table (every 0.5 s)."""
    return app.bot_data.outbox.wake if app is not None else lambda: None


async def drain(
    wake: Callable[[], None],
    emulator: BotApiEmulator,
    sessions: async_sessionmaker[AsyncSession],
    chat_ids: range,
    *,
    replies: Replies,
    storm: int,
    rate: float,
) -> Drain:
    """Queue a notice to `chat_ids`, wait until every chat has it, measure the pace."""
    recipients = len(chat_ids)
    async with transaction(sessions) as session:
        await enqueue_broadcast(
            session=session,
            recipients=[Recipient(chat_id=chat_id) for chat_id in chat_ids],
            text="<b>【统计局通知】</b>请于本月10日前完成联网直报。",
            kind="notice",
        )
    base, base_replies = emulator.checkpoint(), len(replies.arrived)
    started = time.perf_counter()
    wake()
    stormed = storm == 0
    # When each broadcast message arrived, in order (the emulator counts every send; the
    # repliers count their own replies).
    arrivals: list[float] = []
    while len(arrivals) < recipients:
        await asyncio.sleep(0.005)
        now = time.perf_counter()
        delivered = emulator.checkpoint() - base - (len(replies.arrived) - base_replies)
        arrivals.extend([now] * (delivered - len(arrivals)))
        if not stormed and len(arrivals) >= recipients // 2:
            emulator.fail_next("sendMessage", 429, retry_after=1, times=storm)
            stormed = True
        if now - started > 10 * recipients / min(rate, FREE_LIMIT) + 60:
            raise RuntimeError(f"stalled after {len(arrivals)} messages")
    first, last = arrivals[recipients // 10], arrivals[recipients * 9 // 10 - 1]
    received = Counter(len(emulator.sent_messages(chat_id)) for chat_id in chat_ids)
    sends = sum(
        1
        for method, data in emulator.calls
        if method == "sendMessage" and data.get("chat_id") in chat_ids
    )
    return Drain(
        sustained=(recipients * 9 // 10 - 1 - recipients // 10) / (last - first),
        overall=(recipients - 1) / (arrivals[-1] - arrivals[0]),
        seconds=arrivals[-1] - started,
        lost=received[0],
        twice=sum(n - 1 for n in received.elements() if n > 1),
        sends=sends,
        rejected=sends - sum(n * count for n, count in received.items()),
        window=(first, last),
    )


def describe(name: str, latencies: Sequence[float]) -> str:
    if not latencies:
        return f"{name}: no replies"
    return (
        f"{name}: {len(latencies)} replies, p50 {statistics.median(latencies) * 1000:.0f} ms, "
        f"p99 {percentile(latencies, 0.99) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms"
    )


async def with_replies(
    wake: Callable[[], None],
    emulator: BotApiEmulator,
    sessions: async_sessionmaker[AsyncSession],
    chats: range,
    users: range,
    *,
    every: float,
    storm: int,
    rate: float,
) -> tuple[Drain, float, list[float]]:
    """A broadcast while the users ask: the drain, the replies' rate and latencies meanwhile."""
    replies = Replies()
    tasks = start_repliers(emulator, users, every, replies)
    await asyncio.sleep(every)  # the repliers get going first
    busy = await drain(wake, emulator, sessions, chats, replies=replies, storm=storm, rate=rate)
    await stop(tasks)
    low, high = busy.window
    latencies = [
        latency
        for latency, arrived in zip(replies.latencies, replies.arrived, strict=True)
        if low <= arrived <= high
    ]
    return busy, len(latencies) / (high - low), latencies


@dataclass
class Bot:
    """The bot under test: how to start a queued broadcast, and its flood waits so far."""

    wake: Callable[[], None]
    flood_waits: Callable[[], int | None]
    # CPU seconds used so far: the bot's process, or this whole process (bot and emulator).
    cpu: Callable[[], float]


@asynccontextmanager
async def bot_in_process(emulator: BotApiEmulator, url: str, rate: float) -> AsyncIterator[Bot]:
    settings = load_settings(
        token=TOKEN, database_url=url, api_base_url=emulator.base_url, quiet_hours=False
    )
    app = build_application(settings, outbox=OutboxConfig(rate_per_second=rate))
    async with polling(app, poll_timeout=1):
        yield Bot(
            wake=waker(app),
            flood_waits=lambda: app.bot_data.outbox.stats.flood_waits,
            cpu=time.process_time,
        )


@asynccontextmanager
async def bot_process(emulator: BotApiEmulator, url: str) -> AsyncIterator[Bot]:
    with tempfile.TemporaryDirectory() as logs:
        instance = await start_instance(
            "bot",
            database_url=url,
            emulator=emulator,
            log_dir=Path(logs),
            env={"GRIDBOT_TOKEN": TOKEN},
        )
        try:
            await instance.wait_for_log(ACTIVE_LOG)
            pid = instance.process.pid
            yield Bot(wake=waker(None), flood_waits=lambda: None, cpu=lambda: process_cpu(pid))
        finally:
            await stop_instance(instance)


async def run(
    sessions: async_sessionmaker[AsyncSession],
    url: str,
    *,
    process: bool,
    recipients: int,
    repliers: int,
    every: float,
    baseline: float,
    storm: int,
    rate: float,
    compare_rate: float,
) -> int:
    alone_chats = range(FIRST_CHAT, FIRST_CHAT + recipients)
    busy_chats = range(FIRST_CHAT + recipients, FIRST_CHAT + 2 * recipients)
    compare_chats = range(FIRST_CHAT + 2 * recipients, FIRST_CHAT + 3 * recipients)
    broadcasts = 3 if compare_rate else 2
    users = range(FIRST_REPLIER, FIRST_REPLIER + repliers)
    async with BotApiEmulator(
        token=TOKEN, rate_limit_per_second=FREE_LIMIT, per_chat_rate_limit_per_second=1
    ) as emulator:
        for chat_id in [*alone_chats, *busy_chats, *compare_chats, *users]:
            emulator.user(chat_id)
        under_test = bot_process(emulator, url) if process else bot_in_process(emulator, url, rate)
        async with under_test as bot:
            quiet = Replies()
            tasks = start_repliers(emulator, users, every, quiet)
            await asyncio.sleep(baseline)
            await stop(tasks)
            cpu_before = bot.cpu()
            alone = await drain(
                bot.wake, emulator, sessions, alone_chats, replies=Replies(), storm=storm, rate=rate
            )
            cpu_per_message = (bot.cpu() - cpu_before) / recipients
            busy, reply_rate, busy_latencies = await with_replies(
                bot.wake, emulator, sessions, busy_chats, users, every=every, storm=storm, rate=rate
            )
            flood_waits = bot.flood_waits()
        compared: tuple[Drain, float, list[float]] | None = None
        if compare_rate:
            async with bot_in_process(emulator, url, compare_rate) as other:
                compared = await with_replies(
                    other.wake,
                    emulator,
                    sessions,
                    compare_chats,
                    users,
                    every=every,
                    storm=storm,
                    rate=compare_rate,
                )
                other_waits = other.flood_waits()
                if flood_waits is not None and other_waits is not None:
                    flood_waits += other_waits
        async with sessions() as session:
            for _ in range(200):
                counts = await outbox.status_counts(session=session)
                if counts[OutboxStatus.SENT] == broadcasts * recipients:
                    break
                await asyncio.sleep(0.05)
    print(f"database: {url.split(':', 1)[0]}")
    print("bot: `gridbot run` in a process of its own" if process else "bot: in this process")
    print(
        f"recipients: {recipients} per broadcast; outbox pace {rate:g}/s; emulator: "
        f"{FREE_LIMIT}/s per bot, 1/s per chat; storm: {storm} x 429; "
        f"repliers: {repliers}, each /help every {every:g} s"
    )
    print(describe("replies alone", quiet.latencies))
    print(
        f"broadcast alone: sustained (10%-90%) {alone.sustained:.2f} messages/s "
        f"(goal >= {GOAL_RATE:g}), overall {alone.overall:.2f}/s, {alone.seconds:.1f} s"
    )
    print(
        f"broadcast with replies: sustained {busy.sustained:.2f} messages/s, replies "
        f"{reply_rate:.2f}/s meanwhile, together {busy.sustained + reply_rate:.2f}/s "
        f"(limit {FREE_LIMIT}); overall {busy.overall:.2f}/s, {busy.seconds:.1f} s"
    )
    print(describe("replies during the broadcast", busy_latencies))
    if quiet.latencies and busy_latencies:
        ratio = percentile(busy_latencies, 0.99) / percentile(quiet.latencies, 0.99)
        print(f"replies' p99 during / without the broadcast: {ratio:.2f}")
        quiet_low, quiet_high = percentile_interval(quiet.latencies, 0.99)
        busy_low, busy_high = percentile_interval(busy_latencies, 0.99)
        verdict = "within noise" if busy_low <= quiet_high else "NOT within noise"
        print(
            f"replies' p99, 95% bootstrap intervals: without {quiet_low * 1000:.0f}-"
            f"{quiet_high * 1000:.0f} ms, during {busy_low * 1000:.0f}-{busy_high * 1000:.0f} ms:"
            f" {verdict}"
        )
    whose = "the bot's process" if process else "this process: bot, emulator and users"
    print(f"CPU per message of the broadcast alone ({whose}): {cpu_per_message * 1000:.2f} ms")
    drains = [alone, busy]
    if compared is not None:
        old, old_reply_rate, old_latencies = compared
        drains.append(old)
        print(
            f"the same with the outbox at {compare_rate:g}/s: sustained {old.sustained:.2f} "
            f"messages/s, replies {old_reply_rate:.2f}/s meanwhile"
        )
        print(describe(f"replies during the {compare_rate:g}/s broadcast", old_latencies))
        if old_latencies and busy_latencies:
            ratio = percentile(busy_latencies, 0.99) / percentile(old_latencies, 0.99)
            print(
                f"replies' p99 with the outbox at {rate:g}/s / at {compare_rate:g}/s: {ratio:.2f}"
            )
    print(
        f"broadcast sendMessage calls: {sum(d.sends for d in drains)}; answered 429: "
        f"{sum(d.rejected for d in drains)}; outbox flood waits past PTB's limiter: "
        f"{'n/a' if flood_waits is None else flood_waits}; emulator 429s to replies: "
        f"{sum(1 for _m, chat in emulator.flood_refusals if chat in users)}"
    )
    final = {status.value: n for status, n in counts.items() if n}
    lost, twice = sum(d.lost for d in drains), sum(d.twice for d in drains)
    print(f"lost: {lost}  sent twice: {twice}  outbox: {final}")
    ok = lost == 0 and twice == 0 and counts[OutboxStatus.SENT] == broadcasts * recipients
    print("OK" if ok else "FAILED")
    if ok and (storm or alone.sustained >= GOAL_RATE):
        return 0
    print("GOAL MISSED" if ok else "", file=sys.stderr)
    return 1


async def main(args: argparse.Namespace) -> int:
    random.seed(7)
    if args.process and args.rate != RATE_PER_SECOND:
        print("--rate needs the bot in this process (no --process)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        engine = create_engine(url, tz=ZoneInfo("Asia/Shanghai"))
        await upgrade(engine)
        sessions = session_factory(engine)
        async with sessions() as session:
            if sum((await outbox.status_counts(session=session)).values()):
                print("the outbox of this database is not empty", file=sys.stderr)
                return 2
        try:
            return await run(
                sessions,
                url,
                recipients=args.recipients,
                repliers=args.repliers,
                every=args.reply_every,
                baseline=args.baseline,
                storm=args.storm,
                process=args.process,
                rate=args.rate,
                compare_rate=0 if args.process else args.compare_rate,
            )
        finally:
            await engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recipients", type=int, default=5000)
    parser.add_argument("--repliers", type=int, default=10, help="users asking /help")
    parser.add_argument("--reply-every", type=float, default=2.0, help="seconds per user")
    parser.add_argument("--baseline", type=float, default=30.0, help="seconds of replies alone")
    parser.add_argument("--storm", type=int, default=0, help="extra 429 answers half-way")
    parser.add_argument("--rate", type=float, default=RATE_PER_SECOND, help="outbox pace, /s")
    parser.add_argument(
        "--compare-rate", type=float, default=25.0, help="outbox pace to compare with (0: none)"
    )
    parser.add_argument("--database-url")
    parser.add_argument(
        "--process", action="store_true", help="run the bot as `gridbot run` in its own process"
    )
    sys.exit(asyncio.run(main(parser.parse_args())))
