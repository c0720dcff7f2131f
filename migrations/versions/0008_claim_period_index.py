"""reminder claims indexed by duty, period and step (the duties' lookups of a period's claims)

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_reminder_claim_period",
        "reminder_claim",
        ["duty", "period", "step", "target"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_reminder_claim_period", table_name="reminder_claim")
