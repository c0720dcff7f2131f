"""Outbox queries on the real database: enqueue, claim, leases, settling."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from models import outbox, people
from models.db import transaction
from models.enums import OutboxStatus
from models.tables import OutboxMessage
from services.outbox import Recipient, enqueue_broadcast, enqueue_text
from tests.conftest import SmallCity

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
LEASE = timedelta(seconds=60)


def message(chat_id: int, text: str = "通知", **fields: object) -> OutboxMessage:
    return OutboxMessage(
        **{"chat_id": chat_id, "kind": "notice", "text": text, "not_before": T0, **fields}
    )


async def queue(sessions: async_sessionmaker[AsyncSession], *messages: OutboxMessage) -> None:
    async with transaction(sessions) as session:
        await outbox.enqueue(session=session, messages=list(messages))


async def claim(
    sessions: async_sessionmaker[AsyncSession],
    *,
    worker: str = "w1",
    now: datetime = T0,
    limit: int = 10,
) -> list[OutboxMessage]:
    async with transaction(sessions) as session:
        return await outbox.claim_batch(session=session, worker_id=worker, now=now, limit=limit)


async def statuses(sessions: async_sessionmaker[AsyncSession]) -> dict[OutboxStatus, int]:
    async with sessions() as session:
        counts = await outbox.status_counts(session=session)
    return {status: n for status, n in counts.items() if n}


async def test_enqueue_with_a_dedupe_key_is_idempotent(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    for _ in range(2):
        async with transaction(sessions) as session:
            await enqueue_text(
                session=session, chat_id=1, text="统" * 5000, kind="notice", dedupe_key="act:1"
            )
            await enqueue_broadcast(
                session=session,
                recipients=[Recipient(chat_id=2), Recipient(chat_id=3)],
                text="开会",
                kind="notice",
                dedupe_key="act:2",
            )
    async with sessions() as session:
        first = await outbox.messages_for_chat(session=session, chat_id=1)
        second = await outbox.messages_for_chat(session=session, chat_id=2)
    assert [m.dedupe_key for m in first] == ["act:1", "act:1#2"]
    assert [len(m.text) for m in first] == [4096, 904]
    assert [m.dedupe_key for m in second] == ["act:2:2"]
    assert await statuses(sessions) == {OutboxStatus.PENDING: 4}


async def test_enqueue_inside_a_rolled_back_transaction_leaves_nothing(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async def failing_change() -> None:
        async with transaction(sessions) as session:
            await enqueue_text(session=session, chat_id=1, text="通知", kind="notice")
            raise RuntimeError("the change that caused it failed")

    with pytest.raises(RuntimeError):
        await failing_change()
    assert await statuses(sessions) == {}


async def test_messages_to_an_unreachable_person_are_stored_as_skipped(
    sessions: async_sessionmaker[AsyncSession], small_city: SmallCity
) -> None:
    member = small_city.person_id("member")
    async with transaction(sessions) as session:
        assert await people.mark_unreachable(
            session=session, person_id=member, now=T0, reason="blocked"
        )
        assert not await people.mark_unreachable(
            session=session, person_id=member, now=T0, reason="blocked"
        )
    await queue(sessions, message(1, person_id=member), message(2))
    assert await statuses(sessions) == {OutboxStatus.SKIPPED: 1, OutboxStatus.PENDING: 1}
    assert [m.chat_id for m in await claim(sessions)] == [2]


async def test_claim_takes_due_messages_oldest_first_and_one_per_chat(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await queue(
        sessions,
        message(1, "a1"),
        message(2, "b1"),
        message(1, "a2"),
        message(3, "c1", not_before=T0 + timedelta(minutes=5)),
        message(4, "d1"),
    )
    claimed = await claim(sessions, limit=2)
    assert [m.text for m in claimed] == ["a1", "b1"]
    assert all(m.status == OutboxStatus.SENDING and m.claimed_by == "w1" for m in claimed)
    assert claimed[0].claimed_at == T0
    # a2 waits for a1, c1 is not due yet.
    assert [m.text for m in await claim(sessions)] == ["d1"]
    a1 = claimed[0]
    assert a1.id is not None
    async with transaction(sessions) as session:
        assert await outbox.mark_sent(
            session=session, message_id=a1.id, worker_id="w1", now=T0, telegram_message_id=9
        )
    assert [m.text for m in await claim(sessions)] == ["a2"]
    later = T0 + timedelta(minutes=5)
    assert [m.text for m in await claim(sessions, now=later)] == ["c1"]


async def test_only_the_holder_settles_a_claim(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await queue(sessions, message(1))
    (claimed,) = await claim(sessions)
    assert claimed.id is not None
    async with transaction(sessions) as session:
        assert not await outbox.mark_failed(
            session=session, message_id=claimed.id, worker_id="w2", reason="not mine"
        )
        assert await outbox.mark_retry(
            session=session,
            message_id=claimed.id,
            worker_id="w1",
            not_before=T0 + timedelta(seconds=4),
            error="TimedOut",
        )
    async with sessions() as session:
        (row,) = await outbox.messages_for_chat(session=session, chat_id=1)
    assert (row.status, row.attempts, row.claimed_by, row.error) == (
        OutboxStatus.PENDING,
        1,
        None,
        "TimedOut",
    )
    assert row.not_before == T0 + timedelta(seconds=4)
    assert await claim(sessions) == []
    assert len(await claim(sessions, now=T0 + timedelta(seconds=4))) == 1


async def test_expired_claims_return_to_pending_unless_renewed(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await queue(sessions, message(1), message(2))
    dead, alive = await claim(sessions, limit=1), await claim(sessions, worker="w2", limit=1)
    assert dead[0].id is not None
    assert alive[0].id is not None
    async with transaction(sessions) as session:
        assert await outbox.renew_leases(
            session=session, message_ids=[alive[0].id], worker_id="w2", now=T0 + LEASE
        )
        # Not yet expired: claimed exactly one lease ago.
        assert await outbox.requeue_expired(session=session, now=T0 + LEASE, lease=LEASE) == 0
        later = T0 + LEASE + timedelta(seconds=1)
        assert await outbox.requeue_expired(session=session, now=later, lease=LEASE) == 1
    (again,) = await claim(sessions, worker="w3", now=T0 + LEASE * 2)
    assert again.id == dead[0].id
    # The dead worker's late answer no longer counts.
    async with transaction(sessions) as session:
        assert not await outbox.mark_sent(
            session=session, message_id=again.id, worker_id="w1", now=T0, telegram_message_id=1
        )


async def test_release_gives_back_unsent_claims(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await queue(sessions, message(1), message(2))
    claimed = await claim(sessions)
    async with transaction(sessions) as session:
        released = await outbox.release(
            session=session, message_ids=[m.id for m in claimed if m.id], worker_id="w1"
        )
    assert released == 2
    assert await statuses(sessions) == {OutboxStatus.PENDING: 2}


async def test_skip_pending_stops_a_chat_but_not_its_message_on_the_wire(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await queue(sessions, message(1, "a1"), message(1, "a2"), message(1, "a3"), message(2))
    await claim(sessions)
    async with transaction(sessions) as session:
        assert await outbox.skip_pending(session=session, chat_id=1, reason="blocked") == 2
    assert await statuses(sessions) == {OutboxStatus.SENDING: 2, OutboxStatus.SKIPPED: 2}


async def test_concurrent_claims_on_postgresql_never_overlap(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SKIP LOCKED: PostgreSQL only; SQLite serves one process")
    await queue(sessions, *(message(chat_id) for chat_id in range(1, 31)))
    # Two open transactions at once: the second skips what the first has locked.
    async with sessions() as first, sessions() as second, first.begin():
        mine = await outbox.claim_batch(session=first, worker_id="w1", now=T0, limit=20)
        async with second.begin():
            theirs = await outbox.claim_batch(session=second, worker_id="w2", now=T0, limit=20)
    assert len(mine) == 20
    assert len(theirs) == 10
    assert not {m.id for m in mine} & {m.id for m in theirs}
