"""Query functions for guided conversations in progress (one row per chat and user)."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.tables import ConversationState


async def conversation_of(
    *, session: AsyncSession, chat_id: int, user_id: int
) -> ConversationState | None:
    return await session.get(ConversationState, (chat_id, user_id))


async def keep(
    *,
    session: AsyncSession,
    chat_id: int,
    user_id: int,
    name: str,
    state: Any,
    drafts: dict[str, Any],
    expires_at: datetime,
    now: datetime,
) -> None:
    """Write where the user is (insert or replace) in the caller's transaction."""
    values = {
        "chat_id": chat_id,
        "user_id": user_id,
        "name": name,
        "state": state,
        "drafts": drafts,
        "expires_at": expires_at,
        "updated_at": now,
    }
    connection = await session.connection()
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    insert = dialect.insert(ConversationState).values(**values)
    await session.exec(
        insert.on_conflict_do_update(
            index_elements=[col(ConversationState.chat_id), col(ConversationState.user_id)],
            set_={key: value for key, value in values.items() if key not in ("chat_id", "user_id")},
        )
    )


async def end(
    *, session: AsyncSession, chat_id: int, user_id: int, expires_at: datetime | None = None
) -> bool:
    """Delete the conversation of the chat and user; with `expires_at`, only if it is still the
    one that expires then (so that, of two instances timing it out, one does). Whether a row
    was deleted."""
    statement = sa.delete(ConversationState).where(
        col(ConversationState.chat_id) == chat_id, col(ConversationState.user_id) == user_id
    )
    if expires_at is not None:
        statement = statement.where(col(ConversationState.expires_at) == expires_at)
    result = await session.exec(statement)
    return bool(result.rowcount)


async def expired(
    *, session: AsyncSession, now: datetime, limit: int = 500
) -> list[ConversationState]:
    result = await session.exec(
        select(ConversationState)
        .where(col(ConversationState.expires_at) <= now)
        .order_by(col(ConversationState.expires_at))
        .limit(limit)
    )
    return list(result.all())
