"""Webhook mode end to end: the emulator posts updates (with the secret header, again after a
non-2xx answer, and again on purpose) to the real bot's HTTP app; every update is handled once."""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.server import Serving
from emulator import BotApiEmulator
from knowledge.base import KnowledgeBase
from models import webhook as queries
from models.db import create_engine, session_factory, transaction
from models.tables import WebhookUpdate
from tests.bot.served import SECRET, eventually, served
from tests.conftest import TZ

USERS = range(8401, 8411)


@pytest.fixture
async def running(
    emulator: BotApiEmulator, database_url: str, engine: AsyncEngine, knowledge: KnowledgeBase
) -> AsyncIterator[Serving]:
    del engine  # a clean database
    emulator.webhook_retry_seconds = 0.05
    async with served(
        emulator, database_url=database_url, knowledge=knowledge, use_webhook=True
    ) as running:
        yield running


async def replies_settle(emulator: BotApiEmulator, users: range, each: int) -> None:
    """Wait until every user has `each` replies, then a moment more for any extra one."""
    await eventually(lambda: all(len(emulator.sent_messages(u)) >= each for u in users))
    await asyncio.sleep(0.5)


async def test_set_webhook_with_the_url_and_secret_and_no_polling(
    running: Serving, emulator: BotApiEmulator
) -> None:
    assert emulator.webhook_url == f"http://127.0.0.1:{running.port}/telegram/updates"
    assert emulator.webhook_secret == SECRET
    assert not any(method == "getUpdates" for method, _ in emulator.calls)
    [(_method, data)] = [c for c in emulator.calls if c[0] == "setWebhook"]
    assert set(data["allowed_updates"]) >= {"message", "callback_query", "my_chat_member"}


async def test_every_update_is_handled_once_even_when_delivered_again(
    running: Serving, emulator: BotApiEmulator, sessions: async_sessionmaker[AsyncSession]
) -> None:
    sent = []
    for user in USERS:
        emulator.user(user)
        sent.append(await emulator.send_text(user, "/help"))
    await replies_settle(emulator, USERS, 1)
    delivered = [update_id for update_id, status in emulator.webhook_deliveries if status == 200]
    assert len(delivered) == len(USERS)
    # Telegram repeats deliveries whose answer it did not see: every one of them, twice.
    for update_id in delivered:
        emulator.redeliver(update_id)
        emulator.redeliver(update_id)
    await eventually(lambda: len(emulator.webhook_deliveries) >= 3 * len(USERS))
    await asyncio.sleep(0.5)
    assert all(status == 200 for _update_id, status in emulator.webhook_deliveries)
    assert {u: len(emulator.sent_messages(u)) for u in USERS} == dict.fromkeys(USERS, 1)
    async with sessions() as session:
        seen = (await session.exec(select(WebhookUpdate.update_id))).all()
    assert sorted(seen) == sorted(delivered)
    duplicates = running.metrics.webhook.labels("duplicate")._value.get()
    assert duplicates == 2 * len(USERS)


async def test_a_wrong_secret_is_refused_and_telegram_tries_again(
    running: Serving, emulator: BotApiEmulator
) -> None:
    del running
    user = USERS[0]
    emulator.user(user)
    emulator.webhook_secret = "not-the-secret"
    await emulator.send_text(user, "/help")
    await eventually(lambda: len(emulator.webhook_deliveries) >= 3)
    assert {status for _u, status in emulator.webhook_deliveries} == {403}
    assert emulator.sent_messages(user) == []
    emulator.webhook_secret = SECRET
    await replies_settle(emulator, range(user, user + 1), 1)
    assert len(emulator.sent_messages(user)) == 1
    assert emulator.webhook_deliveries[-1][1] == 200


async def test_a_standby_answers_503_until_it_is_active(
    running: Serving, emulator: BotApiEmulator
) -> None:
    user = USERS[0]
    emulator.user(user)
    running.standing.set(False)
    await emulator.send_text(user, "/help")
    await eventually(lambda: len(emulator.webhook_deliveries) >= 2)
    assert {status for _u, status in emulator.webhook_deliveries} == {503}
    running.standing.set(True)
    await replies_settle(emulator, range(user, user + 1), 1)
    assert len(emulator.sent_messages(user)) == 1


async def test_an_update_that_cannot_be_recorded_is_refused_and_comes_again(
    running: Serving, emulator: BotApiEmulator, tmp_path: object
) -> None:
    user = USERS[0]
    emulator.user(user)
    bot_data = running.app.bot_data
    good = bot_data._sessions
    unreachable = create_engine(f"sqlite+aiosqlite:///{tmp_path}/no/such/dir/x.db", tz=TZ)
    bot_data._sessions = session_factory(unreachable)
    try:
        await emulator.send_text(user, "/help")
        await eventually(lambda: len(emulator.webhook_deliveries) >= 2)
    finally:
        bot_data._sessions = good
        await unreachable.dispose()
    assert {status for _u, status in emulator.webhook_deliveries[:2]} == {503}
    await replies_settle(emulator, range(user, user + 1), 1)
    assert len(emulator.sent_messages(user)) == 1


async def test_bad_requests_are_refused(running: Serving) -> None:
    url = f"http://127.0.0.1:{running.port}/telegram/updates"
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    async with httpx.AsyncClient() as http:
        assert (await http.post(url, json={"update_id": 1})).status_code == 403
        assert (await http.post(url, content=b"{", headers=headers)).status_code == 400
        assert (await http.post(url, json={"x": 1}, headers=headers)).status_code == 400
        assert (await http.get(url, headers=headers)).status_code == 405
        # Health and metrics are served in webhook mode too.
        assert (await http.get(f"http://127.0.0.1:{running.port}/readyz")).status_code == 200


async def test_seen_updates_are_pruned_after_a_day(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    now = datetime.now(UTC)
    async with transaction(sessions) as session:
        assert await queries.record_update(
            session=session, update_id=1, now=now - timedelta(days=2)
        )
        assert await queries.record_update(session=session, update_id=2, now=now)
        assert not await queries.record_update(session=session, update_id=2, now=now)
    async with transaction(sessions) as session:
        assert await queries.prune_updates(session=session, before=now - timedelta(days=1)) == 1
    async with sessions() as session:
        assert (await session.exec(select(WebhookUpdate.update_id))).all() == [2]
