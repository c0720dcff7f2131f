"""/healthz, /readyz and /metrics over real HTTP, next to the real bot polling the emulator."""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.server import Serving
from emulator import BotApiEmulator
from knowledge.base import KnowledgeBase
from models.db import create_engine, session_factory, transaction
from services.outbox import enqueue_text
from tests.bot.served import served
from tests.conftest import TZ

USER = 8301


@pytest.fixture
async def running(
    emulator: BotApiEmulator, database_url: str, engine: AsyncEngine, knowledge: KnowledgeBase
) -> AsyncIterator[Serving]:
    del engine  # a clean database
    async with served(emulator, database_url=database_url, knowledge=knowledge) as running:
        yield running


@pytest.fixture
async def http(running: Serving) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{running.port}") as client:
        yield client


async def scrape(http: httpx.AsyncClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    answer = await http.get("/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }


async def test_healthz_answers_while_the_process_lives(http: httpx.AsyncClient) -> None:
    answer = await http.get("/healthz")
    assert (answer.status_code, answer.text) == (200, "ok")


async def test_metrics_count_updates_latency_errors_and_sends(
    http: httpx.AsyncClient,
    emulator: BotApiEmulator,
    sessions: async_sessionmaker[AsyncSession],
    running: Serving,
) -> None:
    before = await scrape(http)
    assert before[("gridbot_active", ())] == 1.0
    assert before[("gridbot_outbox_queue_depth", (("status", "pending"),))] == 0
    assert ("gridbot_updates_handled_total", (("kind", "command"),)) not in before

    emulator.user(USER)
    for text in ("/help", "/me"):
        mark = emulator.checkpoint()
        await emulator.send_text(USER, text)
        await emulator.wait_for_message(USER, after=mark)
    # The third reply fails: counted as an error (the apology after it goes through).
    emulator.fail_next("sendMessage", 400)
    mark = emulator.checkpoint()
    await emulator.send_text(USER, "/help")
    await emulator.wait_for_message(USER, after=mark)
    async with transaction(sessions) as session:
        await enqueue_text(session=session, chat_id=USER, text="通知", kind="notice")
    running.app.bot_data.outbox.wake()
    await emulator.wait_for_message(USER, lambda m: m.text == "通知")

    after = await scrape(http)
    assert after[("gridbot_updates_handled_total", (("kind", "command"),))] == 3
    assert after[("gridbot_reply_latency_seconds_count", (("kind", "command"),))] == 3
    assert after[("gridbot_reply_latency_seconds_sum", (("kind", "command"),))] > 0
    assert after[("gridbot_errors_total", (("error", "BadRequest"),))] == 1
    # Replies: /help, /me and the apology; the failed one was not accepted.
    assert after[("gridbot_telegram_messages_sent_total", (("lane", "reply"),))] == 3
    assert after[("gridbot_telegram_messages_sent_total", (("lane", "outbox"),))] == 1
    assert after[("gridbot_outbox_messages_total", (("outcome", "sent"),))] == 1
    assert after[("gridbot_outbox_sent_per_second", ())] == pytest.approx(0.1)


async def test_metrics_count_flood_refusals_by_lane(
    http: httpx.AsyncClient, emulator: BotApiEmulator
) -> None:
    emulator.user(USER)
    emulator.fail_next("sendMessage", 429, retry_after=1)
    mark = emulator.checkpoint()
    await emulator.send_text(USER, "/help")
    # PTB's limiter waits as told and sends again.
    await emulator.wait_for_message(USER, after=mark, timeout=10)
    after = await scrape(http)
    assert after[("gridbot_telegram_flood_refusals_total", (("lane", "reply"),))] == 1
    assert after[("gridbot_telegram_flood_wait_seconds_total", (("lane", "reply"),))] == 1.0
    assert after[("gridbot_telegram_flood_refusals_total", (("lane", "outbox"),))] == 0


async def test_metrics_show_the_queue_depth_and_how_late_it_is(
    http: httpx.AsyncClient, running: Serving, sessions: async_sessionmaker[AsyncSession]
) -> None:
    # The worker stopped, two messages wait.
    await running.app.bot_data.outbox.stop()
    async with transaction(sessions) as session:
        for chat_id in (1, 2):
            await enqueue_text(
                session=session,
                chat_id=chat_id,
                text="提醒",
                kind="alert",
                not_before=datetime.now(UTC) - timedelta(minutes=2),
            )
    after = await scrape(http)
    assert after[("gridbot_outbox_queue_depth", (("status", "pending"),))] == 2
    assert 110 < after[("gridbot_outbox_oldest_due_seconds", ())] < 600


async def test_readyz_ready_on_the_active_instance(http: httpx.AsyncClient) -> None:
    answer = await http.get("/readyz")
    assert answer.status_code == 200
    assert answer.json() == {"ready": True, "active": True, "problems": []}


async def test_readyz_503_on_a_standby(http: httpx.AsyncClient, running: Serving) -> None:
    running.standing.set(False)
    answer = await http.get("/readyz")
    assert answer.status_code == 503
    assert answer.json()["problems"] == ["standby"]
    assert (await scrape(http))[("gridbot_active", ())] == 0.0
    running.standing.set(True)
    assert (await http.get("/readyz")).status_code == 200


async def test_readyz_503_when_the_database_is_unreachable(
    http: httpx.AsyncClient, running: Serving, tmp_path: object
) -> None:
    bot_data = running.app.bot_data
    good = bot_data._sessions
    unreachable = create_engine(f"sqlite+aiosqlite:///{tmp_path}/no/such/dir/x.db", tz=TZ)
    bot_data._sessions = session_factory(unreachable)
    try:
        answer = await http.get("/readyz")
    finally:
        bot_data._sessions = good
        await unreachable.dispose()
    assert answer.status_code == 503
    assert answer.json()["problems"][0].startswith("database unreachable")
    assert (await http.get("/healthz")).status_code == 200


async def test_readyz_503_when_the_outbox_worker_is_dead(
    http: httpx.AsyncClient, running: Serving
) -> None:
    await running.app.bot_data.outbox.stop()
    answer = await http.get("/readyz")
    assert answer.status_code == 503
    assert answer.json()["problems"] == ["outbox worker not running"]


async def test_an_outbox_is_stuck_when_a_due_message_waits_and_nothing_is_sent(
    running: Serving, emulator: BotApiEmulator, sessions: async_sessionmaker[AsyncSession]
) -> None:
    worker = running.app.bot_data.outbox
    now = datetime.now(UTC)
    long_due = now - timedelta(minutes=10)
    assert worker.stalled(oldest_due=None, now=now, after=timedelta(minutes=5)) is None
    assert worker.stalled(oldest_due=now, now=now, after=timedelta(minutes=5)) is None
    # Due for 10 minutes and nothing sent since the worker started: stuck.
    reason = worker.stalled(oldest_due=long_due, now=now, after=timedelta(minutes=5))
    assert reason is not None
    assert reason.startswith("outbox stuck")
    # A message sent just now: the worker is busy with a backlog, not stuck.
    emulator.user(USER)
    async with transaction(sessions) as session:
        await enqueue_text(session=session, chat_id=USER, text="通知", kind="notice")
    worker.wake()
    await emulator.wait_for_message(USER, lambda m: m.text == "通知")
    for _ in range(500):  # settled just after Telegram accepted it
        if worker.stats.last_settled is not None:
            break
        await asyncio.sleep(0.01)
    later = datetime.now(UTC)
    assert worker.stalled(oldest_due=long_due, now=later, after=timedelta(minutes=5)) is None
