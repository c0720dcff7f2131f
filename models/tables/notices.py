"""Notices and their recipients."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.tables.columns import tz_column, utcnow


class Notice(SQLModel, table=True):
    """A notice sent to many people, each asked to confirm it with [已阅]."""

    id: int | None = Field(default=None, primary_key=True)
    sender_id: int = Field(foreign_key="person.id", index=True)
    text: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    # "photo" or "document", sent by Telegram file_id with the text as caption.
    media_kind: str | None = Field(default=None, max_length=16)
    media_file_id: str | None = Field(default=None, max_length=255)
    # How the target reads to people ("虹桥镇全体", "我的网格 · 网格员").
    target_label: str = Field(max_length=200)
    # What it was sent to: a level-3 grid or a town (level 2); None for the whole city. The
    # figures count a copy for the grids of its target its recipient belongs to.
    target_grid_id: int | None = Field(default=None, foreign_key="grid.id", index=True)
    # When the sender last pressed [提醒未读] (at most once an hour).
    reminded_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=tz_column(nullable=False))


class NoticeRecipient(SQLModel, table=True):
    """One person's copy of a notice and whether they confirmed it."""

    __tablename__ = "notice_recipient"
    __table_args__ = (sa.UniqueConstraint("notice_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    notice_id: int = Field(foreign_key="notice.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    chat_id: int | None = Field(default=None, sa_column=sa.Column(sa.BigInteger, nullable=True))
    confirmed_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
    reminders: int = 0
    last_reminded_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
