"""Per-person rate limits and the check-in code index."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.tables.columns import tz_column


class RateSlot(SQLModel, table=True):
    """One of the `limit` slots a person has for an action (a sliding window): a slot is free
    when it was last taken longer than the window ago. The primary key makes taking a new slot
    a unique insert and reusing an old one a compare-and-swap on `taken_at`, so two sessions
    never take the same slot; rows live in the database, so a limit survives a restart."""

    __tablename__ = "rate_slot"

    person_id: int = Field(foreign_key="person.id", primary_key=True, ondelete="CASCADE")
    # "question", "followup", "notice", "export", "checkin", "checkin:<activity id>".
    action: str = Field(max_length=40, primary_key=True)
    slot: int = Field(primary_key=True)
    taken_at: datetime = Field(sa_column=tz_column(nullable=False, index=True))


class CheckinCode(SQLModel, table=True):
    """The code of one activity at one time step, derived from its secret: an index, so that
    the activity (and step) of a typed code is one lookup instead of a HMAC per activity and
    step. Filled ahead by services.activities.codes; every row can be derived again."""

    __tablename__ = "checkin_code"
    __table_args__ = (sa.Index("ix_checkin_code_lookup", "period_s", "code", "step"),)

    activity_id: int = Field(foreign_key="activity.id", primary_key=True, ondelete="CASCADE")
    # The step length the code was derived with (checkin_code_seconds may change).
    period_s: int = Field(primary_key=True)
    step: int = Field(primary_key=True, sa_type=sa.BigInteger)
    code: str = Field(max_length=6)


class CheckinCodeFill(SQLModel, table=True):
    """How far an activity's codes are in the index: every step up to `through_step` (and
    back to the oldest step a lookup needs) has its row."""

    __tablename__ = "checkin_code_fill"

    activity_id: int = Field(foreign_key="activity.id", primary_key=True, ondelete="CASCADE")
    period_s: int = Field(primary_key=True)
    through_step: int = Field(sa_type=sa.BigInteger)
