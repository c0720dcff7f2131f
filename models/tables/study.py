"""Continuing-education hours."""

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.tables.columns import tz_column, utcnow


class StudyRecord(SQLModel, table=True):
    """Hours of 统计继续教育 a person took part in, recorded by them (/study) or imported."""

    __tablename__ = "study_record"
    __table_args__ = (
        # An imported row is identified by person, day and topic: importing the same file again
        # adds nothing, even when two admins run it at once.
        sa.Index(
            "uq_study_record_import",
            "person_id",
            "studied_on",
            "topic",
            unique=True,
            sqlite_where=sa.text("source = 'import'"),
            postgresql_where=sa.text("source = 'import'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    studied_on: date = Field(index=True)
    topic: str = Field(max_length=100)
    # Half hours are exact in binary floating point, and hours come in steps of 0.5.
    hours: float
    # "self" (/study) or "import" (gridbot study import).
    source: str = Field(max_length=16)
    created_at: datetime = Field(default_factory=utcnow, sa_column=tz_column(nullable=False))
