"""Reminder claims: each decided reminder, keyed so it is sent once."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.enums import ReminderStatus
from models.tables.columns import enum_column, tz_column, utcnow


class ReminderClaim(SQLModel, table=True):
    """A reminder that was decided: claimed by its unique key before it is queued, so a
    restart, a catch-up or a second process never sends it twice."""

    __tablename__ = "reminder_claim"
    __table_args__ = (
        sa.UniqueConstraint("duty", "target", "period", "step"),
        # A duty reads its claims of one period and step (or checks one target in it): over
        # the years a weekly duty gathers millions of claims, so the period leads here.
        sa.Index("ix_reminder_claim_period", "duty", "period", "step", "target"),
    )

    id: int | None = Field(default=None, primary_key=True)
    duty: str = Field(max_length=32)
    # Who or what it is about ("person:12", "question:7", "grid:3").
    target: str = Field(max_length=64)
    # Which occurrence ("2026-12", "2026Q4", "" for one-off things).
    period: str = Field(max_length=32)
    step: str = Field(max_length=32)
    status: ReminderStatus = Field(sa_column=enum_column(ReminderStatus))
    note: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_column=tz_column(nullable=False))
