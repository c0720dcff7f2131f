"""催报: the lists exported from the 一套表联网直报 platform and the items chased from them."""

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.tables.columns import enum_column, tz_column, utcnow


class PlatformStatus(StrEnum):
    """A row's 状态 on the platform's export."""

    NOT_REPORTED = "未上报"
    CHECK_FAILED = "审核未通过"
    QUERY_UNEXPLAINED = "查询未解释"
    REPORTED = "已上报"


class ChaseState(StrEnum):
    """open: on the latest export; declared: the statistician says it is done (the next export
    tells); resolved: a later export of the period no longer lists it (or lists it 已上报)."""

    OPEN = "待处理"
    DECLARED = "已申报完成"
    RESOLVED = "已销号"


class ChaseImport(SQLModel, table=True):
    """One export sent to the bot (or imported on the command line): validated rows wait here
    as JSON until [确认催报]; confirmed once."""

    __tablename__ = "chase_import"

    id: int | None = Field(default=None, primary_key=True)
    period: str = Field(max_length=7, index=True)  # 2026-11
    # None: imported on the command line (city-wide).
    importer_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    file_name: str = Field(max_length=200)
    # The validated, matched, in-scope rows (services.chase.importing.Row as JSON).
    payload: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=tz_column(nullable=False))
    confirmed_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))


class ChaseItem(SQLModel, table=True):
    """One enterprise's one form in one period, as long as an export of the period lists it."""

    __tablename__ = "chase_item"
    __table_args__ = (
        sa.UniqueConstraint("period", "survey_object_id", "form"),
        sa.Index("ix_chase_item_period_state", "period", "state"),
    )

    id: int | None = Field(default=None, primary_key=True)
    period: str = Field(max_length=7)
    survey_object_id: int = Field(foreign_key="survey_object.id", index=True)
    form: str = Field(max_length=100)  # 表号 and/or 报表名称
    platform_status: PlatformStatus = Field(sa_column=enum_column(PlatformStatus))
    problem: str = Field(default="", max_length=500)
    deadline: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
    state: ChaseState = Field(sa_column=enum_column(ChaseState))
    # 已报送 or 已修改, as the statistician pressed it.
    declared: str | None = Field(default=None, max_length=8)
    declared_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
    # Declared done but listed again by a later export: the instructor should look.
    discrepancy_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
    resolved_at: datetime | None = Field(default=None, sa_column=tz_column(nullable=True))
    first_import_id: int = Field(foreign_key="chase_import.id")
    last_import_id: int = Field(foreign_key="chase_import.id")
    # The local working day its statistician was last chased about it (at most once a day).
    reminded_on: date | None = Field(default=None, sa_column=sa.Column(sa.Date, nullable=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=tz_column(nullable=False))
