"""allow_paid_broadcast: off by default; when a city enables it, the outbox sends beyond the
free 30/s (each message marked paid), at its own cap."""

import time

from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.app import build_application
from bot.runner import polling
from core.settings import load_settings
from emulator import BotApiEmulator
from knowledge.base import KnowledgeBase
from models.db import transaction
from services.outbox import Recipient, enqueue_broadcast
from tests.bot.served import eventually
from tests.conftest import TOKEN

CHATS = range(600_000, 600_150)


async def broadcast(
    emulator: BotApiEmulator,
    database_url: str,
    knowledge: KnowledgeBase,
    sessions: async_sessionmaker[AsyncSession],
    **settings: object,
) -> float:
    """Seconds for a notice to reach every chat of CHATS."""
    emulator.rate_limit_per_second = 30
    emulator.per_chat_rate_limit_per_second = 1
    for chat_id in CHATS:
        emulator.user(chat_id)
    config = load_settings(
        token=TOKEN, database_url=database_url, api_base_url=emulator.base_url, **settings
    )
    async with polling(build_application(config, knowledge=knowledge), poll_timeout=1) as app:
        async with transaction(sessions) as session:
            await enqueue_broadcast(
                session=session,
                recipients=[Recipient(chat_id=chat_id) for chat_id in CHATS],
                text="通知",
                kind="notice",
            )
        started = time.perf_counter()
        app.bot_data.outbox.wake()
        await eventually(lambda: all(emulator.sent_messages(c) for c in CHATS), seconds=30)
        return time.perf_counter() - started


async def test_paid_broadcast_goes_beyond_the_free_limit_at_its_own_cap(
    emulator: BotApiEmulator,
    database_url: str,
    engine: AsyncEngine,
    knowledge: KnowledgeBase,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    del engine
    seconds = await broadcast(
        emulator,
        database_url,
        knowledge,
        sessions,
        allow_paid_broadcast=True,
        paid_broadcast_rate=100,
    )
    # 150 messages: 5 s at the free 30/s, 1.5 s at the paid cap of 100/s.
    assert 1.3 < seconds < 4.0
    assert emulator.paid_messages == len(CHATS)
    assert emulator.flood_refusals == []


async def test_broadcasts_are_free_by_default(
    emulator: BotApiEmulator,
    database_url: str,
    engine: AsyncEngine,
    knowledge: KnowledgeBase,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    del engine
    seconds = await broadcast(emulator, database_url, knowledge, sessions)
    assert seconds > 4.5  # 150 at 30/s
    assert emulator.paid_messages == 0
    assert not any("allow_paid_broadcast" in data for _method, data in emulator.calls)
