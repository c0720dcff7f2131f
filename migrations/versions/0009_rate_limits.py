"""per-person rate limits (rate_slot) and the check-in code index (checkin_code, checkin_code_fill)

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rate_slot",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("person_id", "action", "slot"),
    )
    with op.batch_alter_table("rate_slot", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rate_slot_taken_at"), ["taken_at"], unique=False)
    op.create_table(
        "checkin_code",
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("period_s", sa.Integer(), nullable=False),
        sa.Column("step", sa.BigInteger(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=6), nullable=False),
        sa.ForeignKeyConstraint(["activity_id"], ["activity.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("activity_id", "period_s", "step"),
    )
    with op.batch_alter_table("checkin_code", schema=None) as batch_op:
        batch_op.create_index(
            "ix_checkin_code_lookup", ["period_s", "code", "step"], unique=False
        )
    op.create_table(
        "checkin_code_fill",
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("period_s", sa.Integer(), nullable=False),
        sa.Column("through_step", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["activity_id"], ["activity.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("activity_id", "period_s"),
    )


def downgrade() -> None:
    op.drop_table("checkin_code_fill")
    with op.batch_alter_table("checkin_code", schema=None) as batch_op:
        batch_op.drop_index("ix_checkin_code_lookup")
    op.drop_table("checkin_code")
    with op.batch_alter_table("rate_slot", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rate_slot_taken_at"))
    op.drop_table("rate_slot")
