"""What every command group shares: the settings, read once with a clear error, and a session
factory on a migrated database, disposed of afterwards."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

import typer
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from core.settings import Settings, SettingsError, load_settings
from models.db import create_engine, session_factory
from models.migrate import current_revision

T = TypeVar("T")

NOT_MIGRATED = "数据库尚未初始化，请先运行：gridbot db upgrade"


def settings(*, require_token: bool = False) -> Settings:
    """The configured settings; a bad configuration ends the command with its message."""
    try:
        return load_settings(require_token=require_token)
    except SettingsError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc


def with_sessions(
    settings: Settings, work: Callable[[async_sessionmaker[AsyncSession]], Awaitable[T]]
) -> T:
    """Run async work against the configured database and dispose of the engine afterwards."""

    async def runner() -> T:
        engine = create_engine(settings.database_url, tz=settings.tz)
        try:
            if await current_revision(engine) is None:
                typer.echo(NOT_MIGRATED, err=True)
                raise typer.Exit(2)
            return await work(session_factory(engine))
        finally:
            await engine.dispose()

    return asyncio.run(runner())
