"""Monthly grid reports and the town's hearing of them."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.tables.columns import tz_column, utcnow


class MonthlyReport(SQLModel, table=True):
    """A level-3 网格长's monthly report on their grid (情况汇报) for one period "YYYY-MM".

    One per grid and period: submitting again before the town's digest replaces the report;
    after the digest a missing report is still accepted but marked late, and a report the
    digest already carried is no longer changed (the town leaders have read it).
    """

    __tablename__ = "monthly_report"
    __table_args__ = (sa.UniqueConstraint("grid_id", "period"),)

    id: int | None = Field(default=None, primary_key=True)
    grid_id: int = Field(foreign_key="grid.id", index=True)
    period: str = Field(max_length=7, index=True)
    author_id: int = Field(foreign_key="person.id", index=True)
    # The four parts of the report, as the 网格长 wrote or accepted them.
    activities: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    problems: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    help_needed: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    plan: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    # Submitted after the town's digest was due: listed as late in the status.
    late: bool = False
    submitted_at: datetime = Field(default_factory=utcnow, sa_column=tz_column(nullable=False))


class ReportHearing(SQLModel, table=True):
    """The town's 二级网格长 confirming [已听取汇报] for a period: the policy's monthly hearing."""

    __tablename__ = "report_hearing"
    __table_args__ = (sa.UniqueConstraint("town_id", "period"),)

    id: int | None = Field(default=None, primary_key=True)
    town_id: int = Field(foreign_key="grid.id", index=True)
    period: str = Field(max_length=7)
    confirmed_by: int = Field(foreign_key="person.id")
    confirmed_at: datetime = Field(default_factory=utcnow, sa_column=tz_column(nullable=False))
