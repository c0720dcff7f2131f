"""Activities, the grids they are for, and attendance."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.enums import ActivityKind, AttendanceStatus, CheckinMethod
from models.tables.columns import enum_column, tz_column, utcnow


class Activity(SQLModel, table=True):
    """A grid activity (学习、交流、探讨、团建 ...) with its check-in window."""

    id: int | None = Field(default=None, primary_key=True)
    kind: ActivityKind = Field(sa_column=enum_column(ActivityKind))
    title: str = Field(max_length=100)
    starts_at: datetime = Field(sa_column=tz_column(nullable=False, index=True))
    ends_at: datetime = Field(sa_column=tz_column(nullable=False))
    place: str = Field(max_length=200)
    latitude: float | None = None
    longitude: float | None = None
    # Check-in by location must be within this many metres of (latitude, longitude).
    radius_m: int | None = None
    organiser_id: int = Field(foreign_key="person.id", index=True)
    # Seeds the rotating check-in code (HMAC of the current time step); never shown.
    code_secret: str = Field(max_length=64)
    # SHA-256 of the token in the activity's check-in link (?start=ci_<token>).
    link_token_hash: str = Field(max_length=64, unique=True)
    cancelled_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=tz_column(nullable=False))


class ActivityGrid(SQLModel, table=True):
    """A level-3 grid an activity is for: its members are invited and may check in."""

    __tablename__ = "activity_grid"

    activity_id: int = Field(foreign_key="activity.id", primary_key=True)
    grid_id: int = Field(foreign_key="grid.id", primary_key=True, index=True)


class Attendance(SQLModel, table=True):
    """A person's check-in or recorded leave for an activity (one row per person)."""

    __table_args__ = (sa.UniqueConstraint("activity_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    activity_id: int = Field(foreign_key="activity.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    status: AttendanceStatus = Field(sa_column=enum_column(AttendanceStatus))
    method: CheckinMethod | None = Field(
        default=None, sa_column=enum_column(CheckinMethod, nullable=True)
    )
    checked_in_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
    leave_reason: str | None = Field(default=None, max_length=200)
    recorded_by: int | None = Field(default=None, foreign_key="person.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=tz_column(nullable=False))
