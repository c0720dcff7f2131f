"""The roster: the grid tree, survey objects, people, their roles, bindings and invitations."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel, col

from models.db import city_today
from models.enums import GridLevel, Industry, Role, Scale
from models.tables.columns import GridLevelType, enum_column, tz_column, utcnow


class Grid(SQLModel, table=True):
    """A node of the grid tree: the city (level 1), a town (level 2) or a level-3 grid."""

    id: int | None = Field(default=None, primary_key=True)
    level: GridLevel = Field(sa_column=sa.Column(GridLevelType(), nullable=False, index=True))
    name: str = Field(max_length=100, unique=True)
    parent_id: int | None = Field(default=None, foreign_key="grid.id", index=True)
    # Level-3 only: the industry of a single-industry grid; None for a cross-industry grid.
    industry: Industry | None = Field(default=None, sa_column=enum_column(Industry, nullable=True))
    # Level-3 only: the running number of the grid inside its town and kind (工业网格1, 2, ...).
    seq: int | None = None
    cross_town: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_column=tz_column(nullable=False))
    # From which local day the grid's duties are judged (reminded, scored, evaluated). On the
    # city row: the city's go-live date (启用日期), set at the first import and editable with
    # `gridbot golive`. On a town or level-3 grid: the day it was added after the city went
    # live (a later import or re-partition); None: there since go-live. A period counts for a
    # grid only when it starts on or after the latest of its city's, town's and own dates
    # (services/coverage.py).
    started_on: date | None = Field(default=None, sa_column=sa.Column(sa.Date, nullable=True))


class SurveyObject(SQLModel, table=True):
    """An enterprise (统计调查对象) and who keeps its statistics."""

    __tablename__ = "survey_object"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, index=True)
    uscc: str = Field(max_length=18, unique=True)
    industry: Industry = Field(sa_column=enum_column(Industry))
    scale: Scale = Field(sa_column=enum_column(Scale))
    town_id: int = Field(foreign_key="grid.id", index=True)
    grid_id: int | None = Field(default=None, foreign_key="grid.id", index=True)
    statistician_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=tz_column(nullable=False))
    # The roster's 纳入日期 (local day it entered the grid system). None: stored before the
    # roster carried dates (migration 0010) -- funded for whole years from the import's year.
    joined_on: date | None = Field(default=None, sa_column=sa.Column(sa.Date, nullable=True))
    # The roster's 退出日期, or the day a re-import of its town no longer listed it; the last
    # funded day is the day before. None: still on the grid.
    left_on: date | None = Field(default=None, sa_column=sa.Column(sa.Date, nullable=True))


def still_on_grid() -> sa.ColumnElement[bool]:
    """A survey object that has not left (no 退出日期, or one still ahead: an object leaves at
    the start of its 退出日期, by the city's date): only those make their statisticians grid
    members, receive notices and reminders and count in the figures."""
    left_on = col(SurveyObject.left_on)
    return sa.or_(left_on.is_(None), left_on > city_today())


class Person(SQLModel, table=True):
    """A human on the roster, identified by mainland mobile number."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=50)
    mobile: str = Field(max_length=11, unique=True)
    # False once replaced by `gridbot people rebind`; kept for history.
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_column=tz_column(nullable=False))
    # Set when Telegram refused a message to them (they blocked the bot): the outbox stops
    # sending to them until they unblock it.
    unreachable_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
    unreachable_reason: str | None = Field(default=None, max_length=200)


class Assignment(SQLModel, table=True):
    """A staff role held by a person on a grid.

    网格员 is not stored here: it follows from being the statistician of a survey object.
    A level-3 role whose grid is still the town (level 2) awaits placement by the partition.
    """

    __table_args__ = (
        # A person holds a role on a grid at most once at a time; concurrent imports or
        # partitions cannot duplicate it.
        sa.Index(
            "uq_assignment_live",
            "person_id",
            "grid_id",
            "role",
            unique=True,
            sqlite_where=sa.text("ended_at IS NULL"),
            postgresql_where=sa.text("ended_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    grid_id: int = Field(foreign_key="grid.id", index=True)
    role: Role = Field(sa_column=enum_column(Role))
    # True when the roster named the grid: the partition never moves explicit assignments.
    explicit: bool = False
    started_at: datetime = Field(default_factory=utcnow, sa_column=tz_column(nullable=False))
    ended_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))


class TelegramBinding(SQLModel, table=True):
    """Which Telegram account speaks for a person; ended bindings stay as history."""

    __tablename__ = "telegram_binding"
    __table_args__ = (
        # At most one live binding per person and per Telegram account; the database enforces
        # it so that two simultaneous /start calls cannot both win.
        sa.Index(
            "uq_binding_live_person",
            "person_id",
            unique=True,
            sqlite_where=sa.text("ended_at IS NULL"),
            postgresql_where=sa.text("ended_at IS NULL"),
        ),
        sa.Index(
            "uq_binding_live_telegram",
            "telegram_user_id",
            unique=True,
            sqlite_where=sa.text("ended_at IS NULL"),
            postgresql_where=sa.text("ended_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    telegram_user_id: int = Field(sa_column=sa.Column(sa.BigInteger, nullable=False, index=True))
    invite_id: int | None = Field(default=None, foreign_key="invite.id")
    bound_at: datetime = Field(default_factory=utcnow, sa_column=tz_column(nullable=False))
    ended_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))


class Invite(SQLModel, table=True):
    """A single-use onboarding token; only its SHA-256 is stored."""

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=tz_column(nullable=False))
    expires_at: datetime = Field(sa_column=tz_column(nullable=False))
    used_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
    used_by_telegram_id: int | None = Field(
        default=None, sa_column=sa.Column(sa.BigInteger, nullable=True)
    )
    revoked_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
