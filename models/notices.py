"""Query functions for notices: their audiences, recipients and read receipts, delivery rows in
the outbox, and reminder claims."""

from collections.abc import Collection, Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models import duties
from models.enums import OutboxStatus, ReminderStatus, Role
from models.tables import (
    Assignment,
    Notice,
    NoticeRecipient,
    OutboxMessage,
    Person,
    ReminderClaim,
    SurveyObject,
    still_on_grid,
)

# --- Audiences -----------------------------------------------------------------------------


async def statisticians(
    *,
    session: AsyncSession,
    grid_ids: Collection[int] | None = None,
    town_ids: Collection[int] | None = None,
) -> set[int]:
    """Active people keeping statistics of survey objects placed in `grid_ids` or belonging to
    `town_ids`; with neither, of every survey object in the city."""
    statement = (
        select(SurveyObject.statistician_id)
        .join(Person, col(Person.id) == col(SurveyObject.statistician_id))
        .where(col(Person.active).is_(True), still_on_grid())
    )
    if grid_ids is not None or town_ids is not None:
        statement = statement.where(
            sa.or_(
                col(SurveyObject.grid_id).in_(list(grid_ids or ())),
                col(SurveyObject.town_id).in_(list(town_ids or ())),
            )
        )
    return {pid for pid in (await session.exec(statement.distinct())).all() if pid is not None}


async def staff(
    *, session: AsyncSession, grid_ids: Collection[int] | None, roles: Collection[Role]
) -> set[int]:
    """Active people holding one of `roles` on one of `grid_ids` (any grid when None)."""
    statement = (
        select(Assignment.person_id)
        .join(Person, col(Person.id) == col(Assignment.person_id))
        .where(
            col(Assignment.ended_at).is_(None),
            col(Assignment.role).in_(list(roles)),
            col(Person.active).is_(True),
        )
    )
    if grid_ids is not None:
        statement = statement.where(col(Assignment.grid_id).in_(list(grid_ids)))
    return set((await session.exec(statement.distinct())).all())


async def unreachable_ids(*, session: AsyncSession, person_ids: Collection[int]) -> set[int]:
    if not person_ids:
        return set()
    result = await session.exec(
        select(Person.id).where(
            col(Person.id).in_(list(person_ids)), col(Person.unreachable_at).is_not(None)
        )
    )
    return {pid for pid in result.all() if pid is not None}


# --- Notices and recipients ----------------------------------------------------------------


async def add_notice(
    *, session: AsyncSession, notice: Notice, recipients: Sequence[tuple[int, int | None]]
) -> Notice:
    """Insert a notice and its recipients, (person id, chat id or None when unbound)."""
    session.add(notice)
    await session.flush()
    assert notice.id is not None
    if recipients:
        await session.exec(
            sa.insert(NoticeRecipient),
            params=[
                {"notice_id": notice.id, "person_id": person_id, "chat_id": chat_id}
                for person_id, chat_id in recipients
            ],
        )
    return notice


async def notice_by_id(*, session: AsyncSession, notice_id: int) -> Notice | None:
    return await session.get(Notice, notice_id)


async def notices_by_sender(*, session: AsyncSession, sender_id: int, limit: int) -> list[Notice]:
    """The sender's most recent notices, newest first."""
    result = await session.exec(
        select(Notice)
        .where(Notice.sender_id == sender_id)
        .order_by(col(Notice.created_at).desc(), col(Notice.id).desc())
        .limit(limit)
    )
    return list(result.all())


async def recipient(
    *, session: AsyncSession, notice_id: int, person_id: int
) -> NoticeRecipient | None:
    result = await session.exec(
        select(NoticeRecipient).where(
            NoticeRecipient.notice_id == notice_id, NoticeRecipient.person_id == person_id
        )
    )
    return result.first()


async def confirm(*, session: AsyncSession, notice_id: int, person_id: int, now: datetime) -> bool:
    """Record the person's receipt; True only for the call that recorded it."""
    result = await session.exec(
        sa.update(NoticeRecipient)
        .where(
            col(NoticeRecipient.notice_id) == notice_id,
            col(NoticeRecipient.person_id) == person_id,
            col(NoticeRecipient.confirmed_at).is_(None),
        )
        .values(confirmed_at=now)
    )
    return bool(result.rowcount)


async def recipients_with_people(
    *, session: AsyncSession, notice_id: int
) -> list[tuple[NoticeRecipient, Person]]:
    result = await session.exec(
        select(NoticeRecipient, Person)
        .join(Person, col(Person.id) == col(NoticeRecipient.person_id))
        .where(NoticeRecipient.notice_id == notice_id)
        .order_by(col(Person.name), col(Person.id))
    )
    return list(result.all())


async def delivery_rows(
    *, session: AsyncSession, ref: str, kind: str
) -> list[tuple[int | None, OutboxStatus, str | None]]:
    """(person id, status, error) of every outbox message of `kind` belonging to `ref`."""
    result = await session.exec(
        select(OutboxMessage.person_id, OutboxMessage.status, OutboxMessage.error).where(
            OutboxMessage.ref == ref, OutboxMessage.kind == kind
        )
    )
    return [(pid, OutboxStatus(status), error) for pid, status, error in result.all()]


async def delivery_rows_for(
    *, session: AsyncSession, refs: Collection[str], kind: str
) -> dict[str, list[tuple[int | None, OutboxStatus, str | None]]]:
    """`delivery_rows` of several refs in one query."""
    rows: dict[str, list[tuple[int | None, OutboxStatus, str | None]]] = {r: [] for r in refs}
    if not refs:
        return rows
    statement = sa.select(
        col(OutboxMessage.ref),
        col(OutboxMessage.person_id),
        col(OutboxMessage.status),
        col(OutboxMessage.error),
    ).where(col(OutboxMessage.ref).in_(list(refs)), col(OutboxMessage.kind) == kind)
    connection = await session.connection()
    for ref, person_id, status, error in (await connection.execute(statement)).all():
        rows[str(ref)].append((person_id, OutboxStatus(status), error))
    return rows


async def recipients_of(
    *, session: AsyncSession, notice_ids: Collection[int]
) -> list[tuple[NoticeRecipient, Person]]:
    if not notice_ids:
        return []
    result = await session.exec(
        select(NoticeRecipient, Person)
        .join(Person, col(Person.id) == col(NoticeRecipient.person_id))
        .where(col(NoticeRecipient.notice_id).in_(list(notice_ids)))
    )
    return list(result.all())


async def take_manual_remind(
    *, session: AsyncSession, notice_id: int, now: datetime, not_after: datetime
) -> bool:
    """Stamp the notice as reminded now unless it was reminded after `not_after`; True if this
    call took the turn (two presses at once cannot both remind)."""
    result = await session.exec(
        sa.update(Notice)
        .where(
            col(Notice.id) == notice_id,
            sa.or_(col(Notice.reminded_at).is_(None), col(Notice.reminded_at) <= not_after),
        )
        .values(reminded_at=now)
    )
    return bool(result.rowcount)


async def mark_reminded(
    *, session: AsyncSession, notice_id: int, person_ids: Collection[int], now: datetime
) -> None:
    if not person_ids:
        return
    await session.exec(
        sa.update(NoticeRecipient)
        .where(
            col(NoticeRecipient.notice_id) == notice_id,
            col(NoticeRecipient.person_id).in_(list(person_ids)),
        )
        .values(reminders=NoticeRecipient.reminders + 1, last_reminded_at=now)
    )


async def unconfirmed_for_person(
    *, session: AsyncSession, person_id: int
) -> list[tuple[Notice, Person]]:
    """Notices sent to the person that they have not confirmed, with their senders."""
    result = await session.exec(
        select(Notice, Person)
        .join(NoticeRecipient, col(NoticeRecipient.notice_id) == col(Notice.id))
        .join(Person, col(Person.id) == col(Notice.sender_id))
        .where(NoticeRecipient.person_id == person_id, col(NoticeRecipient.confirmed_at).is_(None))
        .order_by(col(Notice.created_at), col(Notice.id))
    )
    return list(result.all())


# --- Automatic reminders -------------------------------------------------------------------


def claim_target(notice_id: int, person_id: int) -> str:
    return f"notice:{notice_id}:person:{person_id}"


async def unclaimed_unconfirmed(
    *, session: AsyncSession, created_before: datetime, duty: str, step: str
) -> list[tuple[int, int]]:
    """(notice id, person id) of unconfirmed copies of notices sent before `created_before` that
    have no claim of this duty and step yet. Plain rows, no ORM objects: a city-wide notice has
    a copy per member."""
    target = (
        sa.literal("notice:")
        + sa.cast(col(NoticeRecipient.notice_id), sa.String)
        + sa.literal(":person:")
        + sa.cast(col(NoticeRecipient.person_id), sa.String)
    )
    claimed = (
        sa.exists()
        .where(
            col(ReminderClaim.duty) == duty,
            col(ReminderClaim.step) == step,
            col(ReminderClaim.target) == target,
        )
        .correlate(NoticeRecipient)
    )
    statement = (
        sa.select(col(NoticeRecipient.notice_id), col(NoticeRecipient.person_id))
        .join(Notice, col(Notice.id) == col(NoticeRecipient.notice_id))
        .where(
            col(NoticeRecipient.confirmed_at).is_(None),
            col(Notice.created_at) <= created_before,
            ~claimed,
        )
        .order_by(col(NoticeRecipient.notice_id), col(NoticeRecipient.id))
    )
    connection = await session.connection()
    return [(int(n), int(p)) for n, p in (await connection.execute(statement)).all()]


async def claim_reminder(
    *,
    session: AsyncSession,
    duty: str,
    target: str,
    period: str,
    step: str,
    status: ReminderStatus,
    note: str | None = None,
    now: datetime,
) -> bool:
    """Insert the reminder's claim; False if it was already claimed (then do nothing)."""
    return await duties.claim(
        session=session, key=(duty, target, period, step), status=status, note=note, now=now
    )
