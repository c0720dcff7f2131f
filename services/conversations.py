"""Guided conversations kept in the database: drafts as JSON, and timeouts decided there.

A draft class (a dataclass of plain fields) is written with pydantic as JSON and read back
validated, so that a draft written by an older version that no longer fits is refused
(`UnreadableDraft`) rather than half-read. A conversation silent past its `expires_at` ends
once, whichever instance sees it first (the row is deleted only if it still expires then).
Found by the timer, its timeout message goes out through the outbox in the same transaction;
found when the user writes again, the message is the answer to that update (`opened`).
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from core.formatting import esc
from models import conversations as queries
from models.db import transaction
from models.tables import ConversationState
from services.outbox import enqueue_text

OUTBOX_KIND = "conversation"


class UnreadableDraft(Exception):
    """A stored draft does not fit its class any more (written by another version)."""


def draft_key(kind: type[object]) -> str:
    return f"{kind.__module__}.{kind.__qualname__}"


class DraftCodec:
    """Writes and reads the drafts of one conversation."""

    def __init__(self, kinds: Sequence[type[object]]) -> None:
        self._adapters: dict[str, tuple[type[object], TypeAdapter[Any]]] = {
            draft_key(kind): (kind, TypeAdapter(kind)) for kind in kinds
        }

    def dump(self, drafts: Iterable[object]) -> dict[str, Any]:
        stored: dict[str, Any] = {}
        for draft in drafts:
            key = draft_key(type(draft))
            _kind, adapter = self._adapters[key]
            stored[key] = adapter.dump_python(draft, mode="json")
        return stored

    def load(self, stored: Mapping[str, Any]) -> list[object]:
        drafts: list[object] = []
        for key, data in stored.items():
            found = self._adapters.get(key)
            if found is None:
                raise UnreadableDraft(f"no draft class {key}")
            kind, adapter = found
            try:
                draft = adapter.validate_python(data)
            except ValidationError as exc:
                raise UnreadableDraft(f"{key}: {exc.error_count()} errors") from exc
            if not isinstance(draft, kind):
                raise UnreadableDraft(f"{key}: read as {type(draft).__name__}")
            drafts.append(draft)
        return drafts


@dataclass(frozen=True)
class Opened:
    """A conversation found open for a chat and user."""

    name: str
    state: Any
    drafts: dict[str, Any]


@dataclass(frozen=True)
class TimedOut:
    """The conversation found for a chat and user had timed out and was ended just now: tell
    the user `text` (None: it ends silently)."""

    text: str | None


async def _time_out(
    session: AsyncSession,
    row: ConversationState,
    timed_out_texts: Mapping[str, str | None],
    *,
    queue: bool,
) -> bool:
    """End `row` as timed out (and, with `queue`, queue its message), unless someone else
    already did."""
    if not await queries.end(
        session=session, chat_id=row.chat_id, user_id=row.user_id, expires_at=row.expires_at
    ):
        return False
    text = timed_out_texts.get(row.name)
    if text and queue:
        await enqueue_text(
            session=session,
            chat_id=row.chat_id,
            text=esc(text),
            kind=OUTBOX_KIND,
            dedupe_key=f"timeout:{row.chat_id}:{row.user_id}:{row.expires_at.isoformat()}",
        )
    return True


async def opened(
    *,
    sessions: async_sessionmaker[AsyncSession],
    chat_id: int,
    user_id: int,
    now: datetime,
    timed_out_texts: Mapping[str, str | None],
) -> Opened | TimedOut | None:
    """The conversation open for the chat and user, if any; one silent past its timeout is
    ended now, and its message left to the caller, who is answering the user anyway."""
    async with sessions() as session:
        row = await queries.conversation_of(session=session, chat_id=chat_id, user_id=user_id)
        if row is None:
            return None
        if row.expires_at > now:
            return Opened(name=row.name, state=row.state, drafts=dict(row.drafts))
        ended = await _time_out(session, row, timed_out_texts, queue=False)
        await session.commit()
        return TimedOut(timed_out_texts.get(row.name)) if ended else None


async def keep(
    *,
    sessions: async_sessionmaker[AsyncSession],
    chat_id: int,
    user_id: int,
    name: str,
    state: Any,
    drafts: dict[str, Any],
    expires_at: datetime,
    now: datetime,
) -> None:
    async with transaction(sessions) as session:
        await queries.keep(
            session=session,
            chat_id=chat_id,
            user_id=user_id,
            name=name,
            state=state,
            drafts=drafts,
            expires_at=expires_at,
            now=now,
        )


async def end(*, sessions: async_sessionmaker[AsyncSession], chat_id: int, user_id: int) -> None:
    async with transaction(sessions) as session:
        await queries.end(session=session, chat_id=chat_id, user_id=user_id)


async def time_out_due(
    *,
    sessions: async_sessionmaker[AsyncSession],
    now: datetime,
    timed_out_texts: Mapping[str, str | None],
) -> int:
    """End every conversation silent past its timeout, queueing each one's message; returns
    how many this call ended."""
    async with transaction(sessions) as session:
        rows = await queries.expired(session=session, now=now)
        ended = 0
        for row in rows:
            ended += await _time_out(session, row, timed_out_texts, queue=True)
    return ended
