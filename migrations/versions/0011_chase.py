"""催报 (chase): the platform's exported lists (chase_import) and the items chased (chase_item)

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "chase_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("importer_id", sa.Integer(), nullable=True),
        sa.Column("file_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["importer_id"],
            ["person.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("chase_import", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_chase_import_importer_id"), ["importer_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_chase_import_period"), ["period"], unique=False)

    op.create_table(
        "chase_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("survey_object_id", sa.Integer(), nullable=False),
        sa.Column("form", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column(
            "platform_status",
            sa.Enum(
                "未上报",
                "审核未通过",
                "查询未解释",
                "已上报",
                name="platformstatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("problem", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "待处理", "已申报完成", "已销号", name="chasestate", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column("declared", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True),
        sa.Column("declared_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("discrepancy_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_import_id", sa.Integer(), nullable=False),
        sa.Column("last_import_id", sa.Integer(), nullable=False),
        sa.Column("reminded_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["first_import_id"],
            ["chase_import.id"],
        ),
        sa.ForeignKeyConstraint(
            ["last_import_id"],
            ["chase_import.id"],
        ),
        sa.ForeignKeyConstraint(
            ["survey_object_id"],
            ["survey_object.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("period", "survey_object_id", "form"),
    )
    with op.batch_alter_table("chase_item", schema=None) as batch_op:
        batch_op.create_index("ix_chase_item_period_state", ["period", "state"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_chase_item_survey_object_id"), ["survey_object_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("chase_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chase_item_survey_object_id"))
        batch_op.drop_index("ix_chase_item_period_state")

    op.drop_table("chase_item")
    with op.batch_alter_table("chase_import", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_chase_import_period"))
        batch_op.drop_index(batch_op.f("ix_chase_import_importer_id"))

    op.drop_table("chase_import")
