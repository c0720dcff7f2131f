"""Sent messages are marked in batches: together when they finish together, each delivery
waiting for its own row, and never a row another worker holds."""

import asyncio
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from models import outbox
from models.db import transaction
from models.enums import OutboxStatus
from models.tables import OutboxMessage
from services.outbox import Recipient
from services.outbox.settling import SentBatches
from tests.services.outbox.test_worker import broadcast

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


async def claimed(
    sessions: async_sessionmaker[AsyncSession], chats: range, worker_id: str
) -> list[OutboxMessage]:
    await broadcast(sessions, [Recipient(chat_id=chat) for chat in chats])
    async with transaction(sessions) as session:
        return await outbox.claim_batch(
            session=session, worker_id=worker_id, now=datetime.now(UTC), limit=len(chats)
        )


async def by_chat(sessions: async_sessionmaker[AsyncSession], chat: int) -> OutboxMessage:
    async with sessions() as session:
        (row,) = await outbox.messages_for_chat(session=session, chat_id=chat)
        return row


async def test_messages_finishing_together_share_one_commit_and_each_waits_for_it(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    rows = await claimed(sessions, range(1, 6), "w1")
    commits: list[int] = []

    class Counted(SentBatches):
        async def _commit(self, waiting: list[tuple[int, int, asyncio.Future[None]]]) -> None:
            if waiting:
                commits.append(len(waiting))
            await super()._commit(waiting)

    batches = Counted(sessions=sessions, worker_id="w1", clock=lambda: NOW, delay=0.2, batch=32)
    marks = [
        asyncio.ensure_future(batches.mark_sent(row.id or 0, 1000 + index))
        for index, row in enumerate(rows)
    ]
    await asyncio.sleep(0.05)
    # Nobody is told before the commit, and the rows are still claimed.
    assert not any(mark.done() for mark in marks)
    assert (await by_chat(sessions, 1)).status == OutboxStatus.SENDING
    await asyncio.gather(*marks)
    assert commits == [5]
    for index, chat in enumerate(range(1, 6)):
        row = await by_chat(sessions, chat)
        assert (row.status, row.telegram_message_id, row.error) == (
            OutboxStatus.SENT,
            1000 + index,
            None,
        )


async def test_a_full_batch_commits_at_once_and_another_workers_rows_are_left_alone(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    mine = await claimed(sessions, range(10, 13), "w1")
    theirs = await claimed(sessions, range(20, 21), "w2")
    # A delay no test waits for: only the batch size can commit these.
    batches = SentBatches(sessions=sessions, worker_id="w1", clock=lambda: NOW, delay=60, batch=4)
    await asyncio.wait_for(
        asyncio.gather(*(batches.mark_sent(row.id or 0, 7) for row in [*mine, *theirs])), 5
    )
    assert [(await by_chat(sessions, chat)).status for chat in range(10, 13)] == [
        OutboxStatus.SENT
    ] * 3
    # The other worker's claim stays its own: it settles it (or its lease runs out).
    assert (await by_chat(sessions, 20)).status == OutboxStatus.SENDING
