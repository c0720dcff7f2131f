"""Guided conversations in progress: where each user is and what they have entered so far."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.tables.columns import tz_column, utcnow


class ConversationState(SQLModel, table=True):
    """The one guided conversation open in a chat for a user (one at a time per chat), kept
    so that any instance, after a takeover or a restart, carries on where the user was."""

    __tablename__ = "conversation_state"

    chat_id: int = Field(sa_column=sa.Column(sa.BigInteger, primary_key=True))
    user_id: int = Field(sa_column=sa.Column(sa.BigInteger, primary_key=True))
    # Which conversation ("notice", "提问或回复", ...): its name, else its label.
    name: str = Field(max_length=64)
    # The conversation's state (an int or a str, as its handlers return them).
    state: Any = Field(sa_column=sa.Column(sa.JSON, nullable=False))
    # Its drafts as JSON, keyed by the draft class ("module.Class").
    drafts: dict[str, Any] = Field(
        default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False)
    )
    # Silence until then keeps it open; after it, it ends with its timeout message.
    expires_at: datetime = Field(sa_column=tz_column(nullable=False, index=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=tz_column(nullable=False))
