"""The outbox end to end: the worker sends through the emulator and records every outcome."""

import asyncio
import itertools
import time
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Bot

from bot.app import build_application
from bot.runner import polling
from core.buttons import Button
from core.callback import CallbackData
from core.settings import load_settings
from emulator import BotApiEmulator
from handlers.context import GridApplication
from knowledge.base import KnowledgeBase
from models import outbox, people
from models.db import create_engine, session_factory, transaction
from models.enums import OutboxStatus, Role
from models.tables import Assignment, OutboxMessage, TelegramBinding
from services.outbox import Recipient, enqueue_broadcast, enqueue_text
from services.outbox.retry import RetryPolicy
from services.outbox.worker import OutboxConfig, OutboxWorker
from tests.conftest import TOKEN, TZ, SmallCity
from tests.handlers.chat import bind

MEMBER_TG, INSTRUCTOR_TG, DEPUTY_TG = 8201, 8202, 8203
# Fast retries, polling and per-chat spacing; the real rate of 30/s.
FAST = OutboxConfig(
    chat_interval=0.25,
    poll_interval=0.05,
    lease=timedelta(seconds=5),
    retry=RetryPolicy(max_attempts=3, first_delay=0.1, max_delay=0.2),
)


@pytest.fixture
async def outbox_app(
    emulator: BotApiEmulator, database_url: str, engine: AsyncEngine, knowledge: KnowledgeBase
) -> AsyncIterator[GridApplication]:
    """The real Application (AIORateLimiter included) with quick outbox retries."""
    del engine
    settings = load_settings(token=TOKEN, database_url=database_url, api_base_url=emulator.base_url)
    app = build_application(settings, knowledge=knowledge, outbox=FAST)
    async with polling(app, poll_timeout=1):
        yield app


@pytest.fixture
async def plain_bot(emulator: BotApiEmulator) -> AsyncIterator[Bot]:
    """A bot without rate limiter: Telegram's answers reach the outbox unfiltered."""
    async with Bot(TOKEN, base_url=emulator.bot_base_url) as bot:
        yield bot


@asynccontextmanager
async def running(
    bot: Bot, sessions: async_sessionmaker[AsyncSession], config: OutboxConfig = FAST
) -> AsyncIterator[OutboxWorker]:
    worker = OutboxWorker(bot=bot, sessions=sessions, config=config)
    await worker.start()
    try:
        yield worker
    finally:
        await worker.stop()


def users(emulator: BotApiEmulator, chat_ids: Iterable[int]) -> list[Recipient]:
    recipients = []
    for chat_id in chat_ids:
        emulator.user(chat_id)
        recipients.append(Recipient(chat_id=chat_id))
    return recipients


async def broadcast(
    sessions: async_sessionmaker[AsyncSession], recipients: list[Recipient], text: str = "通知"
) -> None:
    async with transaction(sessions) as session:
        await enqueue_broadcast(session=session, recipients=recipients, text=text, kind="notice")


async def send_one(
    sessions: async_sessionmaker[AsyncSession], chat_id: int, text: str, **options: object
) -> None:
    async with transaction(sessions) as session:
        await enqueue_text(session=session, chat_id=chat_id, text=text, kind="notice", **options)


async def drained(sessions: async_sessionmaker[AsyncSession], seconds: float = 15.0) -> None:
    """Wait until nothing is pending or being sent."""
    deadline = time.monotonic() + seconds
    while True:
        async with sessions() as session:
            counts = await outbox.status_counts(session=session)
        if counts[OutboxStatus.PENDING] + counts[OutboxStatus.SENDING] == 0:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"outbox not drained: {counts}")
        await asyncio.sleep(0.05)


async def rows(sessions: async_sessionmaker[AsyncSession], chat_id: int) -> list[OutboxMessage]:
    async with sessions() as session:
        return await outbox.messages_for_chat(session=session, chat_id=chat_id)


def texts(emulator: BotApiEmulator, chat_id: int) -> list[str]:
    return [m.text or "" for m in emulator.sent_messages(chat_id)]


def alerts(emulator: BotApiEmulator, chat_id: int) -> list[str]:
    return [t for t in texts(emulator, chat_id) if "已屏蔽机器人" in t]


async def test_a_member_who_blocked_the_bot_mid_broadcast_is_skipped_and_reported_once(
    outbox_app: GridApplication,
    emulator: BotApiEmulator,
    sessions: async_sessionmaker[AsyncSession],
    small_city: SmallCity,
) -> None:
    await bind(emulator, small_city, "member", MEMBER_TG)
    await bind(emulator, small_city, "instructor", INSTRUCTOR_TG)
    member = small_city.person_id("member")
    others = users(emulator, range(9000, 9040))
    recipients = [*others[:20], Recipient(chat_id=MEMBER_TG, person_id=member), *others[20:]]
    await broadcast(sessions, recipients, "<b>通知</b>：周五前报送")
    await send_one(sessions, MEMBER_TG, "第二条通知", person_id=member)
    outbox_app.bot_data.outbox.wake()
    await emulator.wait_for_message(others[0].chat_id)
    emulator.block(MEMBER_TG)

    await drained(sessions)
    for recipient in others:
        assert texts(emulator, recipient.chat_id) == ["通知：周五前报送"]
    assert not {"通知：周五前报送", "第二条通知"} & set(texts(emulator, MEMBER_TG))
    (bounced, skipped) = await rows(sessions, MEMBER_TG)
    assert bounced.status == OutboxStatus.FAILED
    assert bounced.error == "Forbidden: bot was blocked by the user"
    assert (skipped.status, skipped.error) == (OutboxStatus.SKIPPED, "recipient unreachable")
    async with sessions() as session:
        person = await people.person_by_id(session=session, person_id=member)
    assert person is not None
    assert person.unreachable_at is not None
    (alert,) = alerts(emulator, INSTRUCTOR_TG)
    assert "网格员 陈统计（乐清市虹桥开关厂、乐清市虹桥电气有限公司）已屏蔽机器人" in alert
    assert "138****5678" in alert

    # Later messages are not even tried, and nobody is told twice.
    await send_one(sessions, MEMBER_TG, "第三条通知", person_id=member)
    outbox_app.bot_data.outbox.wake()
    await drained(sessions)
    assert (await rows(sessions, MEMBER_TG))[-1].status == OutboxStatus.SKIPPED
    assert len(alerts(emulator, INSTRUCTOR_TG)) == 1

    # Unblocking (Telegram's my_chat_member update) makes them reachable again.
    emulator.unblock(MEMBER_TG)
    deadline = time.monotonic() + 5
    while person.unreachable_at is not None and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
        async with sessions() as session:
            person = await people.person_by_id(session=session, person_id=member)
            assert person is not None
    assert person.unreachable_at is None
    await send_one(sessions, MEMBER_TG, "欢迎回来", person_id=member)
    outbox_app.bot_data.outbox.wake()
    await emulator.wait_for_message(MEMBER_TG, lambda m: m.text == "欢迎回来")


async def test_the_deputy_is_told_when_no_instructor_can_be(
    plain_bot: Bot,
    emulator: BotApiEmulator,
    sessions: async_sessionmaker[AsyncSession],
    small_city: SmallCity,
) -> None:
    deputy, member = small_city.person_id("other_member"), small_city.person_id("member")
    async with transaction(sessions) as session:
        grid = small_city.grids["虹桥镇网格"]
        assert grid.id is not None
        session.add(Assignment(person_id=deputy, grid_id=grid.id, role=Role.GRID_DEPUTY))
        for key, telegram_id in (("member", MEMBER_TG), ("other_member", DEPUTY_TG)):
            session.add(
                TelegramBinding(person_id=small_city.person_id(key), telegram_user_id=telegram_id)
            )
    users(emulator, [MEMBER_TG, DEPUTY_TG])
    emulator.block(MEMBER_TG)
    async with running(plain_bot, sessions):
        await send_one(sessions, MEMBER_TG, "通知", person_id=member)
        alert = await emulator.wait_for_message(DEPUTY_TG)
    assert "陈统计" in (alert.text or "")


async def test_a_429_storm_through_the_application_loses_and_repeats_nothing(
    outbox_app: GridApplication,
    emulator: BotApiEmulator,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    emulator.rate_limit_per_second = 30
    emulator.per_chat_rate_limit_per_second = 1
    recipients = users(emulator, range(9000, 9060))
    emulator.fail_next("sendMessage", 429, retry_after=1, times=6)
    await broadcast(sessions, recipients)
    outbox_app.bot_data.outbox.wake()
    await drained(sessions, seconds=30)
    assert all(texts(emulator, r.chat_id) == ["通知"] for r in recipients)
    async with sessions() as session:
        counts = await outbox.status_counts(session=session)
    assert counts[OutboxStatus.SENT] == 60
    sends = [call for call in emulator.calls if call[0] == "sendMessage"]
    assert len(sends) >= 66


async def test_a_flood_wait_pauses_every_send_and_costs_no_attempt(
    plain_bot: Bot, emulator: BotApiEmulator, sessions: async_sessionmaker[AsyncSession]
) -> None:
    recipients = users(emulator, range(9000, 9010))
    await broadcast(sessions, recipients)
    emulator.fail_next("sendMessage", 429, retry_after=1)
    started = time.monotonic()
    async with running(plain_bot, sessions) as worker:
        await drained(sessions)
    assert time.monotonic() - started >= 1.0
    assert worker.stats.flood_waits == 1
    assert all(texts(emulator, r.chat_id) == ["通知"] for r in recipients)
    for recipient in recipients:
        (row,) = await rows(sessions, recipient.chat_id)
        assert (row.status, row.attempts) == (OutboxStatus.SENT, 0)


async def test_server_errors_are_retried_with_backoff_then_given_up(
    plain_bot: Bot, emulator: BotApiEmulator, sessions: async_sessionmaker[AsyncSession]
) -> None:
    users(emulator, [9000, 9001])
    emulator.fail_next("sendMessage", 502, times=2)
    async with running(plain_bot, sessions):
        await send_one(sessions, 9000, "第一次")
        await drained(sessions)
        emulator.fail_next("sendMessage", 500, times=3)
        await send_one(sessions, 9001, "第二次")
        await drained(sessions)
    (recovered,) = await rows(sessions, 9000)
    assert (recovered.status, recovered.attempts) == (OutboxStatus.SENT, 2)
    assert texts(emulator, 9000) == ["第一次"]
    (lost,) = await rows(sessions, 9001)
    assert (lost.status, lost.attempts) == (OutboxStatus.FAILED, 3)
    assert lost.error == "gave up after 3 attempts: NetworkError: Internal Server Error"
    assert texts(emulator, 9001) == []


async def test_a_bad_request_fails_with_the_reason_and_the_chat_goes_on(
    plain_bot: Bot, emulator: BotApiEmulator, sessions: async_sessionmaker[AsyncSession]
) -> None:
    users(emulator, [9000])
    await send_one(sessions, 9000, "<b>未闭合的标签")
    await send_one(sessions, 9000, "下一条")
    async with running(plain_bot, sessions):
        await drained(sessions)
    (broken, fine) = await rows(sessions, 9000)
    assert broken.status == OutboxStatus.FAILED
    assert "can't parse entities" in (broken.error or "").lower()
    assert fine.status == OutboxStatus.SENT
    assert texts(emulator, 9000) == ["下一条"]


async def test_a_long_text_arrives_in_order_one_part_per_second(
    plain_bot: Bot, emulator: BotApiEmulator, sessions: async_sessionmaker[AsyncSession]
) -> None:
    users(emulator, [9000])
    paragraphs = [f"第{i}条：" + "统计数据真实准确完整及时。" * 40 for i in range(20)]
    await send_one(sessions, 9000, "\n\n".join(paragraphs))
    async with running(plain_bot, sessions, replace(FAST, chat_interval=1.0)):
        await drained(sessions)
    received = emulator.sent_messages(9000)
    assert len(received) == 3
    assert "\n\n".join(m.text or "" for m in received) == "\n\n".join(paragraphs)
    assert all(b.date - a.date >= 1 for a, b in itertools.pairwise(received))


@dataclass(frozen=True)
class Join(CallbackData, prefix="join"):
    activity_id: int


async def test_inline_keyboards_go_with_the_last_part(
    plain_bot: Bot, emulator: BotApiEmulator, sessions: async_sessionmaker[AsyncSession]
) -> None:
    users(emulator, [9000])
    await send_one(sessions, 9000, "活动通知", buttons=[[Button("报名", Join(1))]])
    async with running(plain_bot, sessions):
        sent = await emulator.wait_for_message(9000)
    assert sent.callback_data("报名") == "join:1"


async def test_stopping_gives_back_what_was_claimed_but_not_sent(
    plain_bot: Bot, emulator: BotApiEmulator, sessions: async_sessionmaker[AsyncSession]
) -> None:
    recipients = users(emulator, range(9000, 9005))
    await broadcast(sessions, recipients)
    slow = OutboxConfig(rate_per_second=1, poll_interval=0.05)
    async with running(plain_bot, sessions, slow):
        await emulator.wait_for_message(9000)
    async with sessions() as session:
        counts = await outbox.status_counts(session=session)
    assert (counts[OutboxStatus.SENT], counts[OutboxStatus.PENDING]) == (1, 4)
    assert counts[OutboxStatus.SENDING] == 0


async def test_two_workers_on_postgresql_never_send_twice(
    engine: AsyncEngine,
    database_url: str,
    emulator: BotApiEmulator,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("several workers share one outbox on PostgreSQL only")
    recipients = users(emulator, range(9000, 9300))
    await broadcast(sessions, recipients)
    quick = OutboxConfig(rate_per_second=150, poll_interval=0.02)
    engines = [create_engine(database_url, tz=TZ) for _ in range(2)]
    try:
        async with (
            Bot(TOKEN, base_url=emulator.bot_base_url) as first_bot,
            Bot(TOKEN, base_url=emulator.bot_base_url) as second_bot,
            running(first_bot, session_factory(engines[0]), quick) as first,
            running(second_bot, session_factory(engines[1]), quick) as second,
        ):
            await drained(sessions)
    finally:
        for worker_engine in engines:
            await worker_engine.dispose()
    assert all(texts(emulator, r.chat_id) == ["通知"] for r in recipients)
    assert first.stats.sent + second.stats.sent == 300
    # Both took a fair share.
    assert first.stats.sent > 50
    assert second.stats.sent > 50


async def test_a_demoted_worker_stops_at_once_and_the_next_active_one_takes_over(
    emulator: BotApiEmulator, plain_bot: Bot, sessions: async_sessionmaker[AsyncSession]
) -> None:
    recipients = users(emulator, range(30_000, 30_200))
    await broadcast(sessions, recipients)
    active = True
    config = replace(FAST, rate_per_second=200, lease=timedelta(hours=1))
    first = OutboxWorker(bot=plain_bot, sessions=sessions, config=config, may_send=lambda: active)
    await first.start()
    try:
        deadline = time.monotonic() + 30
        while emulator.checkpoint() < 50:
            assert time.monotonic() < deadline
            await asyncio.sleep(0.005)
        active = False
        at_demotion = emulator.checkpoint()
        await asyncio.sleep(0.5)
        # Only what was on the wire when it was demoted arrived after.
        after = emulator.checkpoint()
        assert after - at_demotion <= config.max_in_flight
        await asyncio.sleep(0.3)
        assert emulator.checkpoint() == after
        async with sessions() as session:
            left_claimed = (await outbox.status_counts(session=session))[OutboxStatus.SENDING]
        second = OutboxWorker(bot=plain_bot, sessions=sessions, config=config)
        await second.start()
        try:
            # The lease is an hour: only the takeover gives the first worker's claims back.
            assert await second.take_over() == left_claimed
            deadline = time.monotonic() + 30
            while (await _counts(sessions))[OutboxStatus.SENT] < len(recipients):
                assert time.monotonic() < deadline
                await asyncio.sleep(0.05)
        finally:
            await second.stop()
    finally:
        await first.stop()
    received = [len(emulator.sent_messages(r.chat_id)) for r in recipients]
    assert min(received) == 1
    assert max(received) == 1


async def _counts(sessions: async_sessionmaker[AsyncSession]) -> dict[OutboxStatus, int]:
    async with sessions() as session:
        return await outbox.status_counts(session=session)
