"""Query functions for webhook updates seen: record one (once), prune the old ones."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from models.tables import WebhookUpdate


async def record_update(*, session: AsyncSession, update_id: int, now: datetime) -> bool:
    """Record `update_id` in the caller's transaction; False when it was recorded before."""
    connection = await session.connection()
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(WebhookUpdate)
        .values(update_id=update_id, received_at=now)
        .on_conflict_do_nothing(index_elements=[col(WebhookUpdate.update_id)])
    )
    result = await session.exec(statement)
    return bool(result.rowcount)


async def prune_updates(*, session: AsyncSession, before: datetime) -> int:
    """Forget updates received before `before`; returns how many."""
    result = await session.exec(
        sa.delete(WebhookUpdate).where(col(WebhookUpdate.received_at) < before)
    )
    return int(result.rowcount)
