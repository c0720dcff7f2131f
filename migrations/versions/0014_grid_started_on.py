"""grids' judged-from dates (grid.started_on): the city's go-live date, and the day a town or
level-3 grid added later began; evaluation_result.coverage_note (why a year was judged in part);
notice.target_grid_id (what a notice was sent to, backfilled from its label)

Revision ID: 0014
Revises: 0013

A city stored before this revision gets the local day (Asia/Shanghai, the product's time zone)
its row was created, i.e. the day of its first import, as its go-live date: periods that began
before it were never judgeable. `gridbot golive set` moves it. Towns and level-3 grids keep
NULL (there since go-live).
"""

import re
from collections.abc import Sequence
from datetime import UTC
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("grid", schema=None) as batch_op:
        batch_op.add_column(sa.Column("started_on", sa.Date(), nullable=True))
    with op.batch_alter_table("evaluation_result", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("coverage_note", sa.String(length=200), nullable=False, server_default="")
        )
    grid = sa.table(
        "grid",
        sa.column("id", sa.Integer),
        sa.column("level", sa.Integer),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("started_on", sa.Date),
    )
    with op.batch_alter_table("notice", schema=None) as batch_op:
        batch_op.add_column(sa.Column("target_grid_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_notice_target_grid_id", ["target_grid_id"], unique=False)
        batch_op.create_foreign_key("fk_notice_target_grid_id", "grid", ["target_grid_id"], ["id"])
    bind = op.get_bind()
    _backfill_notice_targets(bind)
    shanghai = ZoneInfo("Asia/Shanghai")
    rows = bind.execute(sa.select(grid.c.id, grid.c.created_at).where(grid.c.level == 1)).all()
    for grid_id, created_at in rows:
        if created_at is None:
            continue
        if created_at.tzinfo is None:  # SQLite hands back naive UTC
            created_at = created_at.replace(tzinfo=UTC)
        day = created_at.astimezone(shanghai).date()
        bind.execute(sa.update(grid).where(grid.c.id == grid_id).values(started_on=day))


# How services/notices/drafts.py labelled a notice's target before target_grid_id existed:
# "我的网格：{grid} · {audience}", "{town}全镇（街道） · {audience}", or the city's.
_GRID_LABEL = re.compile(r"^我的网格：(?P<name>.+) · [^·]+$")
_TOWN_LABEL = re.compile(r"^(?P<name>.+)全镇（街道） · [^·]+$")


def _backfill_notice_targets(bind: sa.Connection) -> None:
    grid = sa.table(
        "grid", sa.column("id", sa.Integer), sa.column("level", sa.Integer), sa.column("name")
    )
    notice = sa.table(
        "notice",
        sa.column("id", sa.Integer),
        sa.column("target_label"),
        sa.column("target_grid_id", sa.Integer),
    )
    ids = {
        (level, name): grid_id
        for grid_id, level, name in bind.execute(sa.select(grid.c.id, grid.c.level, grid.c.name))
    }
    for notice_id, label in bind.execute(sa.select(notice.c.id, notice.c.target_label)).all():
        target = None
        if found := _GRID_LABEL.match(label):
            target = ids.get((3, found["name"]))
        elif found := _TOWN_LABEL.match(label):
            target = ids.get((2, found["name"]))
        if target is not None:
            bind.execute(
                sa.update(notice).where(notice.c.id == notice_id).values(target_grid_id=target)
            )


def downgrade() -> None:
    with op.batch_alter_table("notice", schema=None) as batch_op:
        batch_op.drop_constraint("fk_notice_target_grid_id", type_="foreignkey")
        batch_op.drop_index("ix_notice_target_grid_id")
        batch_op.drop_column("target_grid_id")
    with op.batch_alter_table("evaluation_result", schema=None) as batch_op:
        batch_op.drop_column("coverage_note")
    with op.batch_alter_table("grid", schema=None) as batch_op:
        batch_op.drop_column("started_on")
