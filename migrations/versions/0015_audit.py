"""the audit trail of administrative changes (audit_entry), self-service binding attempts by
phone number (phone_attempt), and files admins sent in the chat awaiting confirmation
(admin_upload: the roster, study hours)

Revision ID: 0015
Revises: 0014
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_label", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index("ix_audit_entry_at", ["at"], unique=False)
        batch_op.create_index("ix_audit_entry_actor_id", ["actor_id"], unique=False)
        batch_op.create_index("ix_audit_entry_action", ["action"], unique=False)
    op.create_table(
        "phone_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("telegram_user_id", sa.BigInteger(), nullable=False),
        sa.Column("telegram_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("mobile", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("town_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["town_id"], ["grid.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("phone_attempt", schema=None) as batch_op:
        batch_op.create_index(
            "ix_phone_attempt_telegram_user_id", ["telegram_user_id"], unique=False
        )
        batch_op.create_index("ix_phone_attempt_outcome", ["outcome"], unique=False)
        batch_op.create_index("ix_phone_attempt_at", ["at"], unique=False)


    op.create_table(
        "admin_upload",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("importer_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("file_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("fingerprint", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["importer_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("admin_upload", schema=None) as batch_op:
        batch_op.create_index("ix_admin_upload_importer_id", ["importer_id"], unique=False)


def downgrade() -> None:
    op.drop_table("admin_upload")
    op.drop_table("phone_attempt")
    op.drop_table("audit_entry")
