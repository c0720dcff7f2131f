"""monthly grid reports and the town's hearing of them

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "monthly_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("grid_id", sa.Integer(), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("activities", sa.Text(), nullable=False),
        sa.Column("problems", sa.Text(), nullable=False),
        sa.Column("help_needed", sa.Text(), nullable=False),
        sa.Column("plan", sa.Text(), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["author_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["grid_id"], ["grid.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("grid_id", "period"),
    )
    with op.batch_alter_table("monthly_report", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_monthly_report_author_id"), ["author_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_monthly_report_grid_id"), ["grid_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_monthly_report_period"), ["period"], unique=False)

    op.create_table(
        "report_hearing",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("town_id", sa.Integer(), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("confirmed_by", sa.Integer(), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["confirmed_by"], ["person.id"]),
        sa.ForeignKeyConstraint(["town_id"], ["grid.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("town_id", "period"),
    )
    with op.batch_alter_table("report_hearing", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_hearing_town_id"), ["town_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("report_hearing", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_hearing_town_id"))
    op.drop_table("report_hearing")
    with op.batch_alter_table("monthly_report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_monthly_report_period"))
        batch_op.drop_index(batch_op.f("ix_monthly_report_grid_id"))
        batch_op.drop_index(batch_op.f("ix_monthly_report_author_id"))
    op.drop_table("monthly_report")
