"""Each person's own settings."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from models.tables.columns import tz_column, utcnow


class PersonPreference(SQLModel, table=True):
    """A person's own choices in /settings; no row means every default."""

    __tablename__ = "person_preference"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", unique=True)
    law_tip_opt_out: bool = False
    updated_at: datetime = Field(default_factory=utcnow, sa_column=tz_column(nullable=False))
