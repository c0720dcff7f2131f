"""The audit trail of administrative changes, and self-service binding attempts by phone."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.tables.columns import tz_column


class AuditEntry(SQLModel, table=True):
    """One administrative change, written in the transaction that made it: who (a person, or
    the CLI's operating-system user), when, what (a short action key) and a summary."""

    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_column=tz_column(nullable=False, index=True))
    # None when the change came from the CLI (then `actor_label` names the shell user).
    actor_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    actor_label: str = Field(max_length=100)
    # "chat" or "cli".
    channel: str = Field(max_length=10)
    # "roster.import", "grids.partition", "binding.phone", ...
    action: str = Field(max_length=40, index=True)
    summary: str = Field(sa_column=sa.Column(sa.Text, nullable=False))


class PhoneAttempt(SQLModel, table=True):
    """A contact a Telegram account shared to bind itself: the normalised mobile (empty when
    unreadable) and what came of it. Unmatched attempts are what town staff review; the rows
    of one account in the last hour are its rate limit."""

    __tablename__ = "phone_attempt"

    id: int | None = Field(default=None, primary_key=True)
    telegram_user_id: int = Field(sa_column=sa.Column(sa.BigInteger, nullable=False, index=True))
    # What Telegram showed of the account, so that staff can tell who tried.
    telegram_name: str = Field(max_length=200)
    mobile: str = Field(max_length=20)
    # "bound", "unmatched", "seat_taken", "not_own", "unreadable", "inactive"; "asked" for the
    # town's poster opened (t.me/<bot>?start=join_<town id>), which the next attempts inherit.
    outcome: str = Field(max_length=16, index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id")
    # The town whose poster the account came from, None for the plain /start.
    town_id: int | None = Field(default=None, foreign_key="grid.id")
    at: datetime = Field(sa_column=tz_column(nullable=False, index=True))
