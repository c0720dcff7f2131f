"""survey objects' roster dates (survey_object.joined_on, survey_object.left_on)

Revision ID: 0010
Revises: 0009

Both columns are local calendar dates taken from the roster (纳入日期, 退出日期) and are
nullable. Nothing is backfilled: a survey object stored before this revision keeps
joined_on = NULL, which means "纳入日期未登记" — the funding ledger funds it for whole years
from the year it was imported and marks it so in the detail sheet, until a roster with a
纳入日期 column is imported again. left_on = NULL means the object is still on the grid.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("survey_object", schema=None) as batch_op:
        batch_op.add_column(sa.Column("joined_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("left_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("survey_object", schema=None) as batch_op:
        batch_op.drop_column("left_on")
        batch_op.drop_column("joined_on")
