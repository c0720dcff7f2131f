"""continuing education records and personal settings

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "study_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("studied_on", sa.Date(), nullable=False),
        sa.Column("topic", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("hours", sa.Float(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("study_record", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_study_record_person_id"), ["person_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_study_record_studied_on"), ["studied_on"], unique=False
        )
        batch_op.create_index(
            "uq_study_record_import",
            ["person_id", "studied_on", "topic"],
            unique=True,
            sqlite_where=sa.text("source = 'import'"),
            postgresql_where=sa.text("source = 'import'"),
        )
    op.create_table(
        "person_preference",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("law_tip_opt_out", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("person_id"),
    )


def downgrade() -> None:
    op.drop_table("person_preference")
    with op.batch_alter_table("study_record", schema=None) as batch_op:
        batch_op.drop_index("uq_study_record_import")
        batch_op.drop_index(batch_op.f("ix_study_record_studied_on"))
        batch_op.drop_index(batch_op.f("ix_study_record_person_id"))
    op.drop_table("study_record")
