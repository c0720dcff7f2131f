"""Shared fixtures: a real, migrated database per test (SQLite by default, PostgreSQL when
GRIDBOT_TEST_DATABASE_URL points at one)."""

import asyncio
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

import models.tables  # noqa: F401  (registers the tables)
from models.db import create_engine, session_factory
from models.migrate import upgrade

TEST_DATABASE_URL = os.environ.get("GRIDBOT_TEST_DATABASE_URL", "")


async def _migrate(url: str, *, reset_schema: bool) -> None:
    engine = create_engine(url)
    if reset_schema:
        async with engine.begin() as conn:
            await conn.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
            await conn.execute(sa.text("CREATE SCHEMA public"))
    await upgrade(engine)
    await engine.dispose()


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Run the real migrations once per test session; tests then start from a copy."""
    if TEST_DATABASE_URL.startswith("postgresql"):
        asyncio.run(_migrate(TEST_DATABASE_URL, reset_schema=True))
        return TEST_DATABASE_URL
    template = tmp_path_factory.mktemp("db") / "template.db"
    asyncio.run(_migrate(f"sqlite+aiosqlite:///{template}", reset_schema=False))
    return str(template)


@pytest.fixture
def database_url(migrated_template: str, tmp_path: Path) -> str:
    if migrated_template.startswith("postgresql"):
        return migrated_template
    target = tmp_path / "gridbot.db"
    shutil.copyfile(migrated_template, target)
    return f"sqlite+aiosqlite:///{target}"


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    if engine.dialect.name == "postgresql":
        tables = ", ".join(t.name for t in SQLModel.metadata.sorted_tables)
        async with engine.begin() as conn:
            await conn.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield engine
    await engine.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return session_factory(engine)


@pytest.fixture
async def session(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    async with sessions() as session:
        yield session
