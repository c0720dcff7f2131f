"""Benchmark: interactive reply latency while a broadcast drains (goal: p99 < 100 ms on loopback),
measured against a bare python-telegram-bot echo bot under the same users in the same run.

    uv run python bench/interactive.py [--users 200] [--spread 60] [--recipients 5000]
                                       [--database-url URL] [--no-echo]

The bot runs as `gridbot run` in its own process, as in production. A town of `--users`
enterprise statisticians in grids of 20, each grid with an instructor and an
activity going on now, all bound to Telegram. While the outbox delivers a notice to
`--recipients` other chats (the emulator enforcing Telegram's 30 messages/s per bot and 1/s per
chat, answering 429 beyond), every user, at a random moment within `--spread` seconds, checks in
with `/checkin <code>` (the code their organiser shows), then asks a question with `/ask`, then
presses [仍需提问] when the bot first offers knowledge-base answers. Each step's latency is the
time from the user's update reaching the emulator to the bot's reply (a message or an edit)
arriving there. Prints p50/p99/max per step and overall and the broadcast's rate meanwhile.

Then the same users, at the same moments, act against bench/echo_bot.py (PTB's defaults, no
database, no outbox, so no broadcast either: the floor of what a PTB bot answers in on this
emulator), and the run ends with gridbot's p99 and throughput (replies per second while the
users act) as ratios to the echo bot's.
"""

import argparse
import asyncio
import gc
import os
import random
import signal
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from core.settings import load_settings
from emulator import BotApiEmulator
from models.db import create_engine, session_factory, transaction
from models.enums import ActivityKind, GridLevel, Industry, Role, Scale
from models.migrate import upgrade
from models.tables import Assignment, Grid, Person, SurveyObject, TelegramBinding
from services.activities import codes, publish
from services.onboarding import load_viewer
from services.outbox import Recipient, enqueue_broadcast
from tests.factories import valid_uscc

TOKEN = "4242:bench-token"
GOAL_P99_MS = 100.0
GRID_SIZE = 20
PER_CHAT_BURST = 3
FIRST_USER = 1_000
FIRST_INSTRUCTOR = 5_000
FIRST_BROADCAST_CHAT = 100_000
QUESTIONS = (
    "我们厂的统计台账要保存几年",
    "联网直报的报表还要盖章吗",
    "统计员被领导要求改数据怎么办",
    "迟报统计数据会被罚多少钱",
    "统计局来检查我们要准备什么材料",
)


@dataclass
class Timings:
    steps: dict[str, list[float]] = field(default_factory=dict)
    failures: Counter[str] = field(default_factory=Counter)

    def add(self, step: str, seconds: float) -> None:
        self.steps.setdefault(step, []).append(seconds * 1000)


async def build_town(sessions: async_sessionmaker[AsyncSession], users: int) -> dict[int, str]:
    """The town, its grids, people and bindings, and one ongoing activity per grid (published
    through the service, so the invitations go through the outbox). Returns each user's
    Telegram id -> the code secret of their grid's activity."""
    now = datetime.now(UTC)
    grids = (users + GRID_SIZE - 1) // GRID_SIZE
    published_secrets: dict[int, str] = {}
    async with transaction(sessions) as session:
        city = Grid(level=GridLevel.CITY, name="乐清市")
        session.add(city)
        await session.flush()
        town = Grid(level=GridLevel.TOWN, name="虹桥镇", parent_id=city.id)
        session.add(town)
        await session.flush()
        assert town.id is not None
        for number in range(grids):
            grid = Grid(
                level=GridLevel.GRID,
                name=f"虹桥镇·工业网格{number + 1}",
                parent_id=town.id,
                industry=Industry.INDUSTRY,
                seq=number + 1,
            )
            instructor = Person(name=f"指导员{number + 1}", mobile=f"139{number:08d}")
            session.add_all([grid, instructor])
            await session.flush()
            assert grid.id is not None
            assert instructor.id is not None
            session.add(Assignment(person_id=instructor.id, grid_id=grid.id, role=Role.INSTRUCTOR))
            session.add(
                TelegramBinding(person_id=instructor.id, telegram_user_id=FIRST_INSTRUCTOR + number)
            )
            for slot in range(min(GRID_SIZE, users - number * GRID_SIZE)):
                index = number * GRID_SIZE + slot
                member = Person(name=f"统计员{index + 1}", mobile=f"138{index:08d}")
                session.add(member)
                await session.flush()
                assert member.id is not None
                session.add(
                    SurveyObject(
                        name=f"乐清市第{index + 1}电气有限公司",
                        uscc=valid_uscc(index + 1),
                        industry=Industry.INDUSTRY,
                        scale=Scale.ABOVE_SCALE,
                        town_id=town.id,
                        grid_id=grid.id,
                        statistician_id=member.id,
                    )
                )
                session.add(
                    TelegramBinding(person_id=member.id, telegram_user_id=FIRST_USER + index)
                )
    async with transaction(sessions) as session:
        for number in range(grids):
            viewer = await load_viewer(session=session, telegram_user_id=FIRST_INSTRUCTOR + number)
            assert viewer is not None
            draft = publish.ActivityDraft(
                kind=ActivityKind.STUDY,
                title="统计法学习会",
                starts_at=now - timedelta(minutes=5),
                ends_at=now + timedelta(hours=2),
                place="镇政府三楼会议室",
                grid_ids=sorted(viewer.staffed_grid_ids),
            )
            published = await publish.publish_activity(
                session=session, viewer=viewer, draft=draft, now=now, tz=ZoneInfo("Asia/Shanghai")
            )
            published_secrets[number] = published.activity.code_secret
    return {FIRST_USER + index: published_secrets[index // GRID_SIZE] for index in range(users)}


async def one_user(
    emulator: BotApiEmulator,
    user: int,
    secret: str,
    period_s: int,
    delay: float,
    timings: Timings,
) -> None:
    await asyncio.sleep(delay)
    code = codes.code_at(secret, codes.code_step(datetime.now(UTC), period_s))
    mark = emulator.checkpoint()
    started = time.perf_counter()
    await emulator.send_text(user, f"/checkin {code}")
    reply = await emulator.wait_for_message(user, after=mark, timeout=60)
    timings.add("checkin", time.perf_counter() - started)
    if "签到成功" not in (reply.text or ""):
        timings.failures[f"checkin: {(reply.text or '')[:30]}"] += 1
    await asyncio.sleep(random.uniform(1, 5))
    mark = emulator.checkpoint()
    started = time.perf_counter()
    await emulator.send_text(user, f"/ask {random.choice(QUESTIONS)}")
    reply = await emulator.wait_for_message(user, after=mark, timeout=60)
    timings.add("ask", time.perf_counter() - started)
    still = next((b for b in reply.buttons if b.get("callback_data") == "ask:file"), None)
    if still is None:
        return
    await asyncio.sleep(random.uniform(1, 3))
    mark = emulator.checkpoint()
    started = time.perf_counter()
    callback = await emulator.press_button(user, reply.message_id, "ask:file")
    await emulator.wait_for_callback_answer(callback, timeout=60)
    await emulator.wait_for_message(user, after=mark, timeout=60)
    timings.add("file question", time.perf_counter() - started)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


GRIDBOT_RUN = ("-c", "from bot.cli import app; app()", "run")
ECHO_BOT = (str(Path(__file__).with_name("echo_bot.py")),)
SEED = 7


async def start_bot(
    url: str, emulator: BotApiEmulator, log: Path, command: tuple[str, ...] = GRIDBOT_RUN
) -> asyncio.subprocess.Process:
    """`gridbot run`, as in production, in its own process: the harness (the emulator and the
    simulated users, which keep every message in memory) shares neither its event loop nor its
    garbage collector. Returns once the bot polls for updates."""
    environment = {
        **os.environ,
        "GRIDBOT_TOKEN": TOKEN,
        "GRIDBOT_DATABASE_URL": url,
        "GRIDBOT_API_BASE_URL": emulator.base_url,
        "GRIDBOT_QUIET_HOURS": "false",
        # Its HTTP app (health, metrics) on a free port: nothing else may be listening on 8080.
        "GRIDBOT_LISTEN": "127.0.0.1:0",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *command,
        env=environment,
        stdout=asyncio.subprocess.DEVNULL,
        # A file, not a pipe: an unread pipe would fill up and block the bot's logging.
        stderr=log.open("wb"),
    )
    deadline = time.monotonic() + 60
    while not any(method == "getUpdates" for method, _data in emulator.calls):
        if process.returncode is not None or time.monotonic() > deadline:
            output = await asyncio.to_thread(log.read_text, encoding="utf-8", errors="replace")
            raise RuntimeError(output[-2000:])
        await asyncio.sleep(0.1)
    return process


async def stop_bot(process: asyncio.subprocess.Process) -> None:
    process.send_signal(signal.SIGINT)
    try:
        await asyncio.wait_for(process.wait(), timeout=30)
    except TimeoutError:
        process.kill()
        await process.wait()


async def users_act(
    emulator: BotApiEmulator, secret_of: dict[int, str], period_s: int, spread: float
) -> tuple[Timings, float]:
    """Every user's three steps, each starting at a moment drawn from SEED (the same moments
    for every bot measured). Returns the timings and how long it took."""
    random.seed(SEED)
    # The harness keeps every message it sees: spare it (not the bot) full collections over
    # that growing heap while it measures.
    gc.collect()
    gc.freeze()
    timings = Timings()
    started = time.perf_counter()
    await asyncio.gather(
        *(
            one_user(emulator, user, secret, period_s, random.uniform(0, spread), timings)
            for user, secret in secret_of.items()
        )
    )
    return timings, time.perf_counter() - started


def report(name: str, timings: Timings, elapsed: float) -> tuple[float, float]:
    """Print the steps' latencies; returns (p99 over all replies in ms, replies per second)."""
    everything: list[float] = []
    print(name)
    for step, values in timings.steps.items():
        everything += values
        print(
            f"{step:>14}: {len(values):4d} replies, p50 {statistics.median(values):6.1f} ms, "
            f"p99 {percentile(values, 0.99):6.1f} ms, max {max(values):6.1f} ms"
        )
    p99 = percentile(everything, 0.99)
    throughput = len(everything) / elapsed
    print(
        f"{'all':>14}: {len(everything):4d} replies, p50 {statistics.median(everything):6.1f} ms, "
        f"p99 {p99:6.1f} ms; {throughput:.2f} replies/s over {elapsed:.1f} s"
    )
    for failure, count in timings.failures.items():
        print(f"unexpected reply x{count}: {failure}")
    return p99, throughput


def emulator_for_users() -> BotApiEmulator:
    return BotApiEmulator(
        token=TOKEN,
        rate_limit_per_second=30,
        per_chat_rate_limit_per_second=1,
        # Telegram allows a private chat short bursts over 1/s; a reply plus an edit.
        per_chat_burst=PER_CHAT_BURST,
    )


async def run_echo(
    secret_of: dict[int, str], period_s: int, spread: float, log: Path
) -> tuple[Timings, float]:
    """The same users against the bare PTB echo bot, on an emulator of their own."""
    async with emulator_for_users() as emulator:
        for chat_id in secret_of:
            emulator.user(chat_id)
        bot = await start_bot("", emulator, log, ECHO_BOT)
        try:
            return await users_act(emulator, secret_of, period_s, spread)
        finally:
            await stop_bot(bot)


async def run(
    url: str, *, users: int, spread: float, recipients: int, log: Path, echo: bool
) -> int:
    engine = create_engine(url, tz=ZoneInfo("Asia/Shanghai"))
    await upgrade(engine)
    sessions = session_factory(engine)
    try:
        async with emulator_for_users() as emulator:
            period_s = load_settings().checkin_code_seconds
            secret_of = await build_town(sessions, users)
            grids = (users + GRID_SIZE - 1) // GRID_SIZE
            for chat_id in [*secret_of, *range(FIRST_INSTRUCTOR, FIRST_INSTRUCTOR + grids)]:
                emulator.user(chat_id)
            broadcast_chats = range(FIRST_BROADCAST_CHAT, FIRST_BROADCAST_CHAT + recipients)
            for chat_id in broadcast_chats:
                emulator.user(chat_id)
            bot = await start_bot(url, emulator, log)
            try:
                # The invitations were sent before the meeting: let them arrive first.
                for user in secret_of:
                    await emulator.wait_for_message(user, timeout=60)
                async with transaction(sessions) as session:
                    await enqueue_broadcast(
                        session=session,
                        recipients=[Recipient(chat_id=chat_id) for chat_id in broadcast_chats],
                        text="<b>【统计局通知】</b>请于本月10日前完成联网直报。",
                        kind="notice",
                    )
                # The bot's outbox finds it by polling; let the broadcast get going.
                await asyncio.sleep(2)
                before = sum(1 for chat_id in broadcast_chats if emulator.sent_messages(chat_id))
                timings, elapsed = await users_act(emulator, secret_of, period_s, spread)
                delivered = sum(1 for chat_id in broadcast_chats if emulator.sent_messages(chat_id))
                broadcast_rate = (delivered - before) / elapsed
                remaining = recipients - delivered
                refused = Counter(
                    "broadcast" if chat_id >= FIRST_BROADCAST_CHAT else "users"
                    for _method, chat_id in emulator.flood_refusals
                )
            finally:
                await stop_bot(bot)
    finally:
        await engine.dispose()
    echoed = (
        await run_echo(secret_of, period_s, spread, log.with_name("echo.log")) if echo else None
    )

    print(f"database: {url.split(':', 1)[0]}")
    print(
        f"{users} users over {spread:g} s while broadcasting to {recipients} chats "
        f"(emulator: 30/s per bot, 1/s per chat "
        f"with bursts of {PER_CHAT_BURST})"
    )
    p99, throughput = report("gridbot:", timings, elapsed)
    print(f"p99 goal < {GOAL_P99_MS:g} ms")
    print(
        f"outbox meanwhile: {broadcast_rate:.1f} messages/s; "
        f"{remaining} broadcast chats still waiting when the users were done"
    )
    print(f"429 answers from the emulator: {dict(refused) or 0}")
    if echoed is not None:
        echo_p99, echo_throughput = report("bare PTB echo bot (same users, no broadcast):", *echoed)
        print(
            f"gridbot / echo bot: p99 {p99 / echo_p99:.2f}x ({p99:.1f} / {echo_p99:.1f} ms), "
            f"throughput {throughput / echo_throughput:.2f}x "
            f"({throughput:.2f} / {echo_throughput:.2f} replies/s)"
        )
    ok = p99 < GOAL_P99_MS and not timings.failures
    print("OK" if ok else "GOAL MISSED")
    return 0 if ok else 1


async def main(
    users: int, spread: float, recipients: int, database_url: str | None, *, echo: bool
) -> int:
    random.seed(SEED)
    with tempfile.TemporaryDirectory() as tmp:
        url = database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        return await run(
            url,
            users=users,
            spread=spread,
            recipients=recipients,
            log=Path(tmp) / "bot.log",
            echo=echo,
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--spread", type=float, default=60.0, help="seconds over which users act")
    parser.add_argument("--recipients", type=int, default=5000)
    parser.add_argument("--database-url", help="an empty, migrated or new database")
    parser.add_argument("--no-echo", action="store_true", help="skip the bare PTB echo bot")
    args = parser.parse_args()
    sys.exit(
        asyncio.run(
            main(args.users, args.spread, args.recipients, args.database_url, echo=not args.no_echo)
        )
    )
