"""The annual evaluation and the 五有 checklist of departments."""

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.tables.columns import tz_column, utcnow


class EvaluationRun(SQLModel, table=True):
    """A year's grid evaluation confirmed by 市统计局: its results are frozen from then on."""

    __tablename__ = "evaluation_run"

    id: int | None = Field(default=None, primary_key=True)
    # One confirmed evaluation per year; a second confirmation loses on this constraint.
    year: int = Field(unique=True)
    # The weights and thresholds the results were computed with (the TOML file, parsed).
    config: dict[str, Any] = Field(sa_column=sa.Column(sa.JSON(), nullable=False))
    confirmed_by: str = Field(max_length=100)
    confirmed_at: datetime = Field(default_factory=utcnow, sa_column=tz_column(nullable=False))


class EvaluationResult(SQLModel, table=True):
    """One level-3 grid's frozen score, grade and reward in a confirmed evaluation."""

    __tablename__ = "evaluation_result"
    __table_args__ = (sa.UniqueConstraint("run_id", "grid_id"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="evaluation_run.id", index=True)
    grid_id: int = Field(foreign_key="grid.id", index=True)
    # Names as they were at confirmation: a later rename does not rewrite the decision.
    grid_name: str = Field(max_length=100)
    town_id: int = Field(foreign_key="grid.id", index=True)
    town_name: str = Field(max_length=100)
    score: float
    grade: str = Field(max_length=8)
    reward_yuan: int
    # Each component's measured value, ratio and points, as shown in the evaluation sheet.
    components: list[dict[str, Any]] = Field(sa_column=sa.Column(sa.JSON(), nullable=False))
    # Why only part of the year (or none: grade 未纳入) was judged; "" for the whole year.
    coverage_note: str = Field(default="", max_length=200)


class Department(SQLModel, table=True):
    """A department with industry-statistics duties, checked against the 五有 standard."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=tz_column(nullable=False))


class DepartmentCheck(SQLModel, table=True):
    """Where a department stands on one of the five items, with the evidence and its date."""

    __tablename__ = "department_check"
    __table_args__ = (sa.UniqueConstraint("department_id", "item"),)

    id: int | None = Field(default=None, primary_key=True)
    department_id: int = Field(foreign_key="department.id", index=True)
    # One of services.oversight.departments.ITEMS ("leader", "office", "network", "team",
    # "rules").
    item: str = Field(max_length=16)
    met: bool
    evidence: str = Field(default="", max_length=500)
    checked_on: date
    recorded_at: datetime = Field(default_factory=utcnow, sa_column=tz_column(nullable=False))
