"""The outbox: messages the bot sends on its own initiative."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.enums import OutboxStatus
from models.tables.columns import enum_column, tz_column, utcnow


class OutboxMessage(SQLModel, table=True):
    """A message the bot sends on its own initiative, written in the transaction that caused
    it and delivered by the outbox worker (one row is one Telegram message)."""

    __tablename__ = "outbox_message"
    __table_args__ = (
        # The worker's claim: due pending rows, oldest first.
        sa.Index("ix_outbox_message_due", "status", "not_before"),
        # Messages to one chat go out in order: a row waits while an older one of its chat
        # is still pending or being sent.
        sa.Index("ix_outbox_message_chat", "chat_id", "status", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_column=sa.Column(sa.BigInteger, nullable=False))
    # The recipient on the roster, when there is one: Telegram refusing the message marks
    # this person unreachable.
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    # What feature sent it ("notice", "alert", ...): for logs and delivery reports.
    kind: str = Field(max_length=32)
    text: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    parse_mode: str | None = Field(default="HTML", max_length=16)
    reply_markup: dict[str, Any] | None = Field(
        default=None, sa_column=sa.Column(sa.JSON(none_as_null=True), nullable=True)
    )
    status: OutboxStatus = Field(default=OutboxStatus.PENDING, sa_column=enum_column(OutboxStatus))
    # Sending attempts that failed for a reason worth counting (network, 5xx); flood waits
    # (429) do not count.
    attempts: int = 0
    not_before: datetime = Field(default_factory=utcnow, sa_column=tz_column(nullable=False))
    claimed_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
    claimed_by: str | None = Field(default=None, max_length=100)
    sent_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
    telegram_message_id: int | None = Field(
        default=None, sa_column=sa.Column(sa.BigInteger, nullable=True)
    )
    error: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    # Lets a caller make an enqueue idempotent: a second message with the same key is dropped.
    dedupe_key: str | None = Field(default=None, max_length=200, unique=True)
    # What the message belongs to ("notice:12", "activity:3"): delivery counts per notice.
    ref: str | None = Field(default=None, max_length=64, index=True)
    # A photo or document sent by Telegram file_id, with `text` as its caption.
    media_kind: str | None = Field(default=None, max_length=16)
    media_file_id: str | None = Field(default=None, max_length=255)
    created_at: datetime = Field(default_factory=utcnow, sa_column=tz_column(nullable=False))
