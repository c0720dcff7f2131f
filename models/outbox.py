"""Query functions for the outbox: enqueue in the caller's transaction, claim due messages for a
worker, and record what became of each one.

A worker claims a row (status `sending`) in a committed transaction before the HTTP call and
marks it `sent` after; a row whose claim is older than the lease belongs to a dead worker and
goes back to `pending`. Those rows are the only ones that can be sent twice.
"""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import OutboxStatus
from models.tables import OutboxMessage, Person

OPEN_STATUSES = (OutboxStatus.PENDING, OutboxStatus.SENDING)
UNREACHABLE_REASON = "recipient unreachable"


async def enqueue(*, session: AsyncSession, messages: Sequence[OutboxMessage]) -> None:
    """Queue messages in the caller's transaction (no commit).

    A message whose dedupe_key is already queued is dropped; one to a person marked unreachable
    is stored as skipped, so the feature's records still show it was meant for them.
    """
    if not messages:
        return
    person_ids = {m.person_id for m in messages if m.person_id is not None}
    unreachable = await unreachable_people(session=session, person_ids=person_ids)
    rows: list[dict[str, Any]] = []
    for message in messages:
        row = message.model_dump(exclude={"id"})
        if message.person_id in unreachable:
            row.update(status=OutboxStatus.SKIPPED, error=UNREACHABLE_REASON)
        rows.append(row)
    connection = await session.connection()
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(OutboxMessage).on_conflict_do_nothing(
        index_elements=[col(OutboxMessage.dedupe_key)]
    )
    await session.exec(statement, params=rows)


async def unreachable_people(*, session: AsyncSession, person_ids: Collection[int]) -> set[int]:
    if not person_ids:
        return set()
    result = await session.exec(
        select(Person.id).where(
            col(Person.id).in_(list(person_ids)), col(Person.unreachable_at).is_not(None)
        )
    )
    return {person_id for person_id in result.all() if person_id is not None}


async def has_due(*, session: AsyncSession, now: datetime) -> bool:
    """Whether any message waits to be claimed: a read, so idle workers never take a write lock."""
    result = await session.exec(
        select(OutboxMessage.id)
        .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.not_before <= now)
        .limit(1)
    )
    return result.first() is not None


async def claim_batch(
    *, session: AsyncSession, worker_id: str, now: datetime, limit: int
) -> list[OutboxMessage]:
    """Claim up to `limit` due messages for `worker_id`, oldest first; the caller commits.

    Only the oldest open message of each chat is due, so a chat receives its messages in order
    and never two at once. On PostgreSQL, rows another worker is claiming are skipped
    (FOR UPDATE SKIP LOCKED); SQLite runs the single UPDATE under its database lock.
    """
    candidate = aliased(OutboxMessage)
    older = aliased(OutboxMessage)
    older_open = (
        sa.exists()
        .where(
            col(older.chat_id) == col(candidate.chat_id),
            col(older.id) < col(candidate.id),
            col(older.status).in_(OPEN_STATUSES),
        )
        .correlate(candidate)
    )
    due = (
        select(candidate.id)
        .where(candidate.status == OutboxStatus.PENDING, candidate.not_before <= now, ~older_open)
        .order_by(col(candidate.id))
        .limit(limit)
        .with_for_update(skip_locked=True, of=candidate)
    )
    result = await session.exec(
        sa.update(OutboxMessage)
        .where(col(OutboxMessage.id).in_(due.scalar_subquery()))
        .values(status=OutboxStatus.SENDING, claimed_at=now, claimed_by=worker_id)
        .returning(OutboxMessage)
        .execution_options(synchronize_session=False)
    )
    claimed: list[OutboxMessage] = list(result.scalars().all())
    return sorted(claimed, key=lambda message: message.id or 0)


def _held_by(worker_id: str) -> tuple[sa.ColumnElement[bool], ...]:
    # A worker only touches rows it still holds: after its lease expired, another worker owns them.
    return (
        col(OutboxMessage.status) == OutboxStatus.SENDING,
        col(OutboxMessage.claimed_by) == worker_id,
    )


async def _update_claimed(
    session: AsyncSession, message_ids: Collection[int], worker_id: str, values: dict[str, Any]
) -> int:
    """Update rows this worker still holds; returns how many it did."""
    if not message_ids:
        return 0
    result = await session.exec(
        sa.update(OutboxMessage)
        .where(col(OutboxMessage.id).in_(list(message_ids)), *_held_by(worker_id))
        .values(**values)
    )
    return int(result.rowcount)


async def _settle(
    session: AsyncSession, message_id: int, worker_id: str, values: dict[str, Any]
) -> bool:
    return bool(await _update_claimed(session, [message_id], worker_id, values))


async def mark_sent(
    *,
    session: AsyncSession,
    message_id: int,
    worker_id: str,
    now: datetime,
    telegram_message_id: int,
) -> bool:
    return await _settle(
        session,
        message_id,
        worker_id,
        {
            "status": OutboxStatus.SENT,
            "sent_at": now,
            "telegram_message_id": telegram_message_id,
            "error": None,
        },
    )


async def mark_sent_many(
    *, session: AsyncSession, sent: Sequence[tuple[int, int]], worker_id: str, now: datetime
) -> None:
    """`mark_sent` for several (message id, Telegram message id) pairs in one statement."""
    if not sent:
        return
    table = OutboxMessage.__table__  # type: ignore[attr-defined]
    statement = (
        sa.update(table)
        .where(table.c.id == sa.bindparam("message_id"), *_held_by(worker_id))
        .values(
            status=OutboxStatus.SENT,
            sent_at=now,
            telegram_message_id=sa.bindparam("telegram_id"),
            error=None,
        )
    )
    connection = await session.connection()
    await connection.execute(
        statement, [{"message_id": mid, "telegram_id": telegram_id} for mid, telegram_id in sent]
    )


async def mark_retry(
    *,
    session: AsyncSession,
    message_id: int,
    worker_id: str,
    not_before: datetime,
    error: str,
) -> bool:
    """Hand the message back for another attempt at `not_before`, counting this one."""
    return await _settle(
        session,
        message_id,
        worker_id,
        {
            "status": OutboxStatus.PENDING,
            "attempts": OutboxMessage.attempts + 1,
            "not_before": not_before,
            "claimed_at": None,
            "claimed_by": None,
            "error": error[:1000],
        },
    )


async def mark_failed(
    *, session: AsyncSession, message_id: int, worker_id: str, reason: str
) -> bool:
    return await _settle(
        session,
        message_id,
        worker_id,
        {
            "status": OutboxStatus.FAILED,
            "attempts": OutboxMessage.attempts + 1,
            "error": reason[:1000],
        },
    )


async def release(*, session: AsyncSession, message_ids: Collection[int], worker_id: str) -> int:
    """Give back claimed messages that were never put on the wire (a clean shutdown)."""
    return await _update_claimed(
        session,
        message_ids,
        worker_id,
        {"status": OutboxStatus.PENDING, "claimed_at": None, "claimed_by": None},
    )


async def renew_leases(
    *, session: AsyncSession, message_ids: Collection[int], worker_id: str, now: datetime
) -> int:
    """A live worker keeps its claims: a flood wait can hold a message longer than the lease."""
    return await _update_claimed(session, message_ids, worker_id, {"claimed_at": now})


async def requeue_expired(*, session: AsyncSession, now: datetime, lease: timedelta) -> int:
    """Return messages claimed by workers that stopped renewing (killed) to `pending`.

    Whatever such a worker had on the wire may already have arrived: these are the messages
    that can be sent twice.
    """
    return await _requeue(
        session,
        sa.select(col(OutboxMessage.id)).where(
            col(OutboxMessage.status) == OutboxStatus.SENDING,
            col(OutboxMessage.claimed_at) < now - lease,
        ),
    )


async def requeue_others(
    *, session: AsyncSession, keep_ids: Collection[int], worker_id: str
) -> int:
    """Return every claimed message but `worker_id`'s own `keep_ids` to `pending`: called by the
    instance that just became the only active one, so every other claim is a dead or demoted
    instance's. What such an instance had on the wire may arrive twice."""
    claimed = sa.select(col(OutboxMessage.id)).where(
        col(OutboxMessage.status) == OutboxStatus.SENDING
    )
    if keep_ids:
        claimed = claimed.where(
            sa.or_(
                col(OutboxMessage.claimed_by) != worker_id,
                col(OutboxMessage.id).not_in(list(keep_ids)),
            )
        )
    return await _requeue(session, claimed)


async def _requeue(session: AsyncSession, claimed: sa.Select[int | None]) -> int:
    """Back to `pending`, skipping rows another transaction holds: a frozen or cut-off
    instance's open transaction must not stall the live one (its rows come back later, once
    the server has ended that transaction and their lease has run out)."""
    locked = claimed.with_for_update(skip_locked=True).scalar_subquery()
    result = await session.exec(
        sa.update(OutboxMessage)
        .where(col(OutboxMessage.id).in_(locked))
        .values(status=OutboxStatus.PENDING, claimed_at=None, claimed_by=None)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)


async def skip_pending(*, session: AsyncSession, chat_id: int, reason: str) -> int:
    """Skip every message still waiting for a chat (its user blocked the bot)."""
    result = await session.exec(
        sa.update(OutboxMessage)
        .where(
            col(OutboxMessage.chat_id) == chat_id,
            col(OutboxMessage.status) == OutboxStatus.PENDING,
        )
        .values(status=OutboxStatus.SKIPPED, error=reason[:1000])
    )
    return int(result.rowcount)


async def status_counts(
    *, session: AsyncSession, kind: str | None = None
) -> dict[OutboxStatus, int]:
    """How many messages are in each status (every status is a key)."""
    statement = select(OutboxMessage.status, sa.func.count()).group_by(col(OutboxMessage.status))
    if kind is not None:
        statement = statement.where(OutboxMessage.kind == kind)
    counts = dict.fromkeys(OutboxStatus, 0)
    for status, count in (await session.exec(statement)).all():
        counts[OutboxStatus(status)] = count
    return counts


async def messages_for_chat(*, session: AsyncSession, chat_id: int) -> list[OutboxMessage]:
    result = await session.exec(
        select(OutboxMessage)
        .where(OutboxMessage.chat_id == chat_id)
        .order_by(col(OutboxMessage.id))
    )
    return list(result.all())


@dataclass(frozen=True)
class QueueSummary:
    """The open part of the outbox: what waits, what is on the wire, and how late it is."""

    pending: int
    sending: int
    # The due time of the pending message that has been due the longest (None: nothing due).
    oldest_due: datetime | None


async def queue_summary(*, session: AsyncSession, now: datetime) -> QueueSummary:
    """Counts of the open statuses only (the index on status keeps this cheap however many
    messages were sent before)."""
    counts = dict.fromkeys(OPEN_STATUSES, 0)
    result = await session.exec(
        select(OutboxMessage.status, sa.func.count())
        .where(col(OutboxMessage.status).in_(OPEN_STATUSES))
        .group_by(col(OutboxMessage.status))
    )
    for status, count in result.all():
        counts[OutboxStatus(status)] = count
    oldest = await session.exec(
        select(sa.func.min(OutboxMessage.not_before)).where(
            OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.not_before <= now
        )
    )
    return QueueSummary(
        pending=counts[OutboxStatus.PENDING],
        sending=counts[OutboxStatus.SENDING],
        oldest_due=oldest.first(),
    )
