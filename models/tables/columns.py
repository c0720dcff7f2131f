"""Column types every table uses: enums stored as text, GridLevel as a small integer, and
timezone-aware UTC timestamps."""

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa

from models.enums import GridLevel


def utcnow() -> datetime:
    return datetime.now(UTC)


class GridLevelType(sa.TypeDecorator[GridLevel]):
    """Stores GridLevel as a small integer and reads it back as GridLevel."""

    impl = sa.SmallInteger
    cache_ok = True

    def process_bind_param(self, value: GridLevel | None, _dialect: sa.Dialect) -> int | None:
        return None if value is None else int(value)

    def process_result_value(self, value: int | None, _dialect: sa.Dialect) -> GridLevel | None:
        return None if value is None else GridLevel(value)


def enum_column(enum: type[StrEnum], *, nullable: bool = False) -> sa.Column[Any]:
    # Store the Chinese values as VARCHAR: readable in SQL and no PostgreSQL enum types to migrate.
    return sa.Column(
        sa.Enum(
            enum,
            native_enum=False,
            length=16,
            values_callable=lambda e: [m.value for m in e],
            validate_strings=True,
        ),
        nullable=nullable,
    )


class UTCDateTime(sa.TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite would hand back naive values)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, _dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a timezone-aware column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, _dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def tz_column(*, nullable: bool, index: bool = False) -> sa.Column[datetime]:
    return sa.Column(UTCDateTime(), nullable=nullable, index=index)
