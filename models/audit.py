"""Query functions for the audit trail and for binding attempts by phone."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import GridLevel
from models.tables import AuditEntry, Grid, PhoneAttempt

ASKED = "asked"


async def add_entry(*, session: AsyncSession, entry: AuditEntry) -> AuditEntry:
    """Stage an entry in the caller's transaction (it commits with the change it records)."""
    session.add(entry)
    await session.flush()
    return entry


async def recent_entries(*, session: AsyncSession, limit: int) -> list[AuditEntry]:
    result = await session.exec(
        select(AuditEntry)
        .order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
        .limit(limit)
    )
    return list(result.all())


async def entries_between(
    *, session: AsyncSession, start: datetime | None, end: datetime | None
) -> list[AuditEntry]:
    query = select(AuditEntry)
    if start is not None:
        query = query.where(col(AuditEntry.at) >= start)
    if end is not None:
        query = query.where(col(AuditEntry.at) < end)
    result = await session.exec(query.order_by(col(AuditEntry.at), col(AuditEntry.id)))
    return list(result.all())


async def add_phone_attempt(*, session: AsyncSession, attempt: PhoneAttempt) -> None:
    session.add(attempt)
    await session.flush()


async def phone_attempts_since(
    *, session: AsyncSession, telegram_user_id: int, since: datetime
) -> list[datetime]:
    """When the account tried since `since`, oldest first."""
    result = await session.exec(
        select(PhoneAttempt.at)
        .where(
            PhoneAttempt.telegram_user_id == telegram_user_id,
            col(PhoneAttempt.at) >= since,
            PhoneAttempt.outcome != ASKED,
        )
        .order_by(col(PhoneAttempt.at))
    )
    return list(result.all())


async def joined_from_town(*, session: AsyncSession, telegram_user_id: int) -> int | None:
    """The town of the poster the account last opened, if any."""
    result = await session.exec(
        select(PhoneAttempt.town_id)
        .where(PhoneAttempt.telegram_user_id == telegram_user_id, PhoneAttempt.outcome == ASKED)
        .order_by(col(PhoneAttempt.id).desc())
        .limit(1)
    )
    return result.first()


async def is_town(*, session: AsyncSession, grid_id: int) -> bool:
    grid = await session.get(Grid, grid_id)
    return grid is not None and grid.level == GridLevel.TOWN


async def unmatched_attempts(
    *, session: AsyncSession, since: datetime, limit: int, town_ids: frozenset[int] | None
) -> list[PhoneAttempt]:
    """The latest unmatched attempt of each (account, mobile) since `since`, newest first; with
    `town_ids`, only those from these towns' posters or from no town's."""
    latest = (
        select(sa.func.max(PhoneAttempt.id))
        .where(PhoneAttempt.outcome == "unmatched", col(PhoneAttempt.at) >= since)
        .group_by(col(PhoneAttempt.telegram_user_id), col(PhoneAttempt.mobile))
    )
    if town_ids is not None:
        latest = latest.where(
            sa.or_(col(PhoneAttempt.town_id).is_(None), col(PhoneAttempt.town_id).in_(town_ids))
        )
    result = await session.exec(
        select(PhoneAttempt)
        .where(col(PhoneAttempt.id).in_(latest))
        .order_by(col(PhoneAttempt.at).desc())
        .limit(limit)
    )
    return list(result.all())
