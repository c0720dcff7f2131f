"""The alembic migrations build exactly the schema the models describe, and run both ways."""

from collections.abc import Callable

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel

from models.migrate import alembic_config, current_revision, upgrade


async def test_migrated_schema_matches_the_models(engine: AsyncEngine) -> None:
    def diff(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, SQLModel.metadata))

    async with engine.connect() as connection:
        assert await connection.run_sync(diff) == []


async def test_downgrade_to_base_and_up_again(engine: AsyncEngine) -> None:
    def downgrade(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "base")

    async with engine.begin() as connection:
        await connection.run_sync(downgrade)
    assert await current_revision(engine) is None
    await upgrade(engine)
    assert await current_revision(engine) == "0015"


async def test_0014_backfills_go_live_and_notice_targets(engine: AsyncEngine) -> None:
    """A database from before 0014: its city goes live on the local day it was created, and
    each notice's target is read back from the label it was sent with."""
    import sqlalchemy as sa

    def to(revision: str) -> Callable[[Connection], None]:
        def run(connection: Connection) -> None:
            config = alembic_config()
            config.attributes["connection"] = connection
            if revision == "0010":
                command.downgrade(config, revision)
            else:
                command.upgrade(config, revision)

        return run

    async with engine.begin() as connection:
        await connection.run_sync(to("0010"))
        # 2026-11-30 20:00 UTC is 1 December in Shanghai.
        await connection.execute(
            sa.text(
                "INSERT INTO grid (id, level, name, parent_id, cross_town, created_at) VALUES "
                "(1, 1, '乐清市', NULL, false, '2026-11-30 20:00:00+00:00'),"
                "(2, 2, '虹桥镇', 1, false, '2026-11-30 20:00:00+00:00'),"
                "(3, 3, '虹桥镇·工业网格1', 2, false, '2026-11-30 20:00:00+00:00')"
            )
        )
        await connection.execute(
            sa.text(
                "INSERT INTO person (id, name, mobile, active, created_at) VALUES "
                "(1, '金管理', '13900000001', true, '2026-11-30 20:00:00+00:00')"
            )
        )
        labels = [
            "我的网格：虹桥镇·工业网格1 · 网格员",
            "虹桥镇全镇（街道） · 全体",
            "全市（乐清市） · 全体",
        ]
        for n, label in enumerate(labels, start=1):
            await connection.execute(
                sa.text(
                    "INSERT INTO notice (id, sender_id, text, target_label, created_at) "
                    "VALUES (:id, 1, '通知', :label, '2026-12-01 01:00:00+00:00')"
                ),
                {"id": n, "label": label},
            )
        await connection.run_sync(to("head"))
        targets = (
            await connection.execute(sa.text("SELECT id, target_grid_id FROM notice ORDER BY id"))
        ).all()
        go_live = (
            await connection.execute(sa.text("SELECT started_on FROM grid WHERE level = 1"))
        ).scalar_one()
        await connection.execute(sa.text("DELETE FROM notice"))
        await connection.execute(sa.text("DELETE FROM person"))
        await connection.execute(sa.text("DELETE FROM grid WHERE level = 3"))
        await connection.execute(sa.text("DELETE FROM grid WHERE level = 2"))
        await connection.execute(sa.text("DELETE FROM grid"))
    assert [tuple(row) for row in targets] == [(1, 3), (2, 2), (3, None)]
    assert str(go_live) == "2026-12-01"
