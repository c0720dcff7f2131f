"""webhook updates seen (webhook_update)

Revision ID: 0012
Revises: 0011

Webhook mode records each update_id it accepts, so that a delivery Telegram repeats (it
repeats whatever it saw no 2xx answer for) is ignored; rows older than 24 hours are pruned.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "webhook_update",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("update_id"),
    )
    op.create_index(
        op.f("ix_webhook_update_received_at"), "webhook_update", ["received_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_webhook_update_received_at"), table_name="webhook_update")
    op.drop_table("webhook_update")
