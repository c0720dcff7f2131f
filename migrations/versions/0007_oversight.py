"""annual evaluation (confirmed runs and frozen results) and the 五有 department checklist

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "evaluation_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("confirmed_by", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("year"),
    )
    op.create_table(
        "evaluation_result",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("grid_id", sa.Integer(), nullable=False),
        sa.Column("grid_name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("town_id", sa.Integer(), nullable=False),
        sa.Column("town_name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("grade", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("reward_yuan", sa.Integer(), nullable=False),
        sa.Column("components", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["grid_id"], ["grid.id"]),
        sa.ForeignKeyConstraint(["run_id"], ["evaluation_run.id"]),
        sa.ForeignKeyConstraint(["town_id"], ["grid.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("run_id", "grid_id"),
    )
    with op.batch_alter_table("evaluation_result", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evaluation_result_run_id"), ["run_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_evaluation_result_grid_id"), ["grid_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_evaluation_result_town_id"), ["town_id"], unique=False)
    op.create_table(
        "department",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.create_table(
        "department_check",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("item", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("met", sa.Boolean(), nullable=False),
        sa.Column("evidence", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("checked_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["department_id"], ["department.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("department_id", "item"),
    )
    with op.batch_alter_table("department_check", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_department_check_department_id"), ["department_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("department_check", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_department_check_department_id"))
    op.drop_table("department_check")
    op.drop_table("department")
    with op.batch_alter_table("evaluation_result", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evaluation_result_town_id"))
        batch_op.drop_index(batch_op.f("ix_evaluation_result_grid_id"))
        batch_op.drop_index(batch_op.f("ix_evaluation_result_run_id"))
    op.drop_table("evaluation_result")
    op.drop_table("evaluation_run")
