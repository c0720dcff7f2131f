"""The outbox: what the bot says on its own initiative, queued in the caller's transaction.

Features queue here, in the same transaction as the change that caused it, then wake the
worker after the commit::

    async with transaction(sessions) as session:
        ...  # the change
        await outbox.enqueue_text(session=session, chat_id=..., person_id=..., text=..., kind=...)
    context.bot_data.outbox.wake()

Long texts are split (`splitting`), the worker paces (`pacing`) and retries (`retry`) the
sends, holds them in the quiet hours (`quiet_hours`) and stops sending to people who blocked
the bot (`reachability`). Only `worker` talks to Telegram.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from core.buttons import Keyboard, inline_keyboard_json
from models import outbox as queries
from models.tables import OutboxMessage, utcnow
from services.outbox.splitting import MAX_CAPTION_LENGTH, split_html, utf16_len

# What the outbox can send by Telegram file_id, with the text as caption.
MEDIA_KINDS = frozenset({"photo", "document"})


@dataclass(frozen=True)
class Recipient:
    chat_id: int
    person_id: int | None = None


@dataclass(frozen=True)
class Media:
    """A photo or document sent by Telegram file_id ahead of (or with) a message's text."""

    kind: str
    file_id: str


def _messages(
    recipient: Recipient,
    parts: Sequence[str],
    *,
    kind: str,
    reply_markup: dict[str, Any] | None,
    dedupe_key: str | None,
    not_before: datetime,
    ref: str | None = None,
    media: Media | None = None,
) -> list[OutboxMessage]:
    return [
        OutboxMessage(
            chat_id=recipient.chat_id,
            person_id=recipient.person_id,
            kind=kind,
            text=part,
            parse_mode="HTML",
            # Buttons belong under the end of the text.
            reply_markup=reply_markup if i == len(parts) - 1 else None,
            dedupe_key=dedupe_key if dedupe_key is None or i == 0 else f"{dedupe_key}#{i + 1}",
            not_before=not_before,
            ref=ref,
            # The media goes first; its caption is the first part (possibly empty).
            media_kind=media.kind if media is not None and i == 0 else None,
            media_file_id=media.file_id if media is not None and i == 0 else None,
        )
        for i, part in enumerate(parts)
    ]


def _parts(text: str, media: Media | None = None) -> list[str]:
    """The texts of the Telegram messages that carry `text` (and `media`, first).

    A text that fits a caption rides on the media; a longer one follows it in its own
    messages, the media going out without a caption.
    """
    if media is not None:
        if media.kind not in MEDIA_KINDS or not media.file_id:
            raise ValueError(f"unsupported media: {media.kind!r}")
        if utf16_len(text) <= MAX_CAPTION_LENGTH:
            return [text]
        return ["", *split_html(text)]
    parts = split_html(text)
    if not parts:
        raise ValueError("an outbox message needs visible text")
    return parts


def _media(kind: str | None, file_id: str | None) -> Media | None:
    if kind is None and file_id is None:
        return None
    if kind is None or file_id is None:
        raise ValueError("media_kind and media_file_id go together")
    return Media(kind=kind, file_id=file_id)


@dataclass(frozen=True)
class Outgoing:
    """One text message for `enqueue_many` (the arguments of `enqueue_text`, without media)."""

    chat_id: int
    text: str
    kind: str
    person_id: int | None = None
    dedupe_key: str | None = None
    ref: str | None = None
    buttons: Keyboard | None = None


async def enqueue_many(
    *, session: AsyncSession, messages: Sequence[Outgoing], not_before: datetime | None = None
) -> int:
    """Queue many different texts in one statement in the caller's transaction (e.g. a day's
    reminders); returns the number of Telegram messages queued."""
    when = not_before or utcnow()
    rows = [
        row
        for message in messages
        for row in _messages(
            Recipient(chat_id=message.chat_id, person_id=message.person_id),
            _parts(message.text),
            kind=message.kind,
            reply_markup=inline_keyboard_json(message.buttons),
            dedupe_key=message.dedupe_key,
            not_before=when,
            ref=message.ref,
        )
    ]
    await queries.enqueue(session=session, messages=rows)
    return len(rows)


async def enqueue_text(
    *,
    session: AsyncSession,
    chat_id: int,
    text: str,
    kind: str,
    person_id: int | None = None,
    dedupe_key: str | None = None,
    not_before: datetime | None = None,
    ref: str | None = None,
    media_kind: str | None = None,
    media_file_id: str | None = None,
    buttons: Keyboard | None = None,
) -> int:
    """Queue an HTML message in the caller's transaction; returns how many Telegram messages it
    takes (long texts are split). Escape user-provided text with `core.formatting.esc` first.

    `buttons` go under the message (under its last part when it is split).
    With `dedupe_key`, queueing the same key again does nothing. `ref` names what the message
    belongs to ("notice:12") so its delivery can be counted. With `media_kind` ("photo" or
    "document") and `media_file_id`, the file is sent with the text as caption; a text longer
    than a caption follows the file as messages of its own.
    """
    media = _media(media_kind, media_file_id)
    messages = _messages(
        Recipient(chat_id=chat_id, person_id=person_id),
        _parts(text, media),
        kind=kind,
        reply_markup=inline_keyboard_json(buttons),
        dedupe_key=dedupe_key,
        not_before=not_before or utcnow(),
        ref=ref,
        media=media,
    )
    await queries.enqueue(session=session, messages=messages)
    return len(messages)


async def enqueue_broadcast(
    *,
    session: AsyncSession,
    recipients: Sequence[Recipient],
    text: str,
    kind: str,
    dedupe_key: str | None = None,
    not_before: datetime | None = None,
    ref: str | None = None,
    media_kind: str | None = None,
    media_file_id: str | None = None,
    buttons: Keyboard | None = None,
) -> int:
    """Queue the same HTML message to many chats in one statement; returns the number of
    Telegram messages queued. With `dedupe_key`, each chat's copy is keyed `{key}:{chat_id}`.
    Media as for `enqueue_text`."""
    media = _media(media_kind, media_file_id)
    parts = _parts(text, media)
    when = not_before or utcnow()
    messages = [
        message
        for recipient in recipients
        for message in _messages(
            recipient,
            parts,
            kind=kind,
            reply_markup=inline_keyboard_json(buttons),
            dedupe_key=None if dedupe_key is None else f"{dedupe_key}:{recipient.chat_id}",
            not_before=when,
            ref=ref,
            media=media,
        )
    ]
    await queries.enqueue(session=session, messages=messages)
    return len(messages)
