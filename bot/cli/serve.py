"""`gridbot db upgrade`, `run` and `demo`: the database brought to the current schema, the bot
run (long polling, or a webhook with --webhook; bot.server), and the demo (browser sandbox or
console)."""

import asyncio
import logging
import sys
from pathlib import Path
from typing import Annotated

import typer

from bot.cli import common
from models.db import create_engine
from models.migrate import current_revision, upgrade

db_app = typer.Typer(help="数据库：迁移到最新结构。", no_args_is_help=True)

DEMO_DIR = Path("demo")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """把数据库结构迁移到最新版本（首次使用前运行）。"""
    settings = common.settings()

    async def runner() -> str | None:
        engine = create_engine(settings.database_url, tz=settings.tz)
        try:
            await upgrade(engine)
            return await current_revision(engine)
        finally:
            await engine.dispose()

    revision = asyncio.run(runner())
    typer.echo(f"数据库已是最新结构（版本 {revision}）。")


def run(
    use_webhook: Annotated[
        bool,
        typer.Option(
            "--webhook",
            help="以 Webhook 方式接收更新（需要 GRIDBOT_WEBHOOK_URL、GRIDBOT_WEBHOOK_SECRET）",
        ),
    ] = False,
) -> None:
    """运行机器人（默认长轮询；需要 GRIDBOT_TOKEN）；GRIDBOT_LISTEN 上提供健康检查和指标；
    PostgreSQL 上可运行多个实例，自动主备切换。"""
    from bot.leadership import SecondInstanceError, for_database
    from bot.server import serve
    from core.settings import SettingsError
    from services.duties.config import DutyConfigError, load_duties

    settings = common.settings(require_token=True)
    if use_webhook:
        try:
            settings.require_webhook()
        except SettingsError as exc:
            typer.echo(str(exc), err=True)
            raise typer.Exit(2) from exc
    try:
        # Also checked in post_init; here the error reaches the console without a traceback.
        load_duties(settings.duties_file)
    except DutyConfigError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)

    async def check_schema() -> str | None:
        engine = create_engine(settings.database_url, tz=settings.tz)
        try:
            return await current_revision(engine)
        finally:
            await engine.dispose()

    if asyncio.run(check_schema()) is None:
        typer.echo(common.NOT_MIGRATED, err=True)
        raise typer.Exit(2)
    try:
        # On PostgreSQL any number of instances: one active, the others standby (bot.roles).
        leadership = for_database(settings.database_url)
    except SecondInstanceError as exc:
        logging.getLogger("bot.leadership").error("second instance on SQLite: not started")
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    asyncio.run(serve(settings, use_webhook=use_webhook, leadership=leadership))


def demo(
    directory: Annotated[
        Path, typer.Option("--dir", help="演示数据目录（再次运行时继续使用，除非加 --reset）")
    ] = DEMO_DIR,
    enterprises: Annotated[int, typer.Option(help="演示企业数")] = 400,
    towns: Annotated[int, typer.Option(help="演示乡镇（街道）数")] = 8,
    reset: Annotated[bool, typer.Option("--reset", help="丢弃上次的演示数据，重新生成")] = False,
    console: Annotated[
        bool, typer.Option("--console", help="不用浏览器：在控制台里扮演人员聊天")
    ] = False,
    port: Annotated[int, typer.Option(help="沙盒网页的本机端口（被占用时自动换一个）")] = 8765,
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help="只打印沙盒地址，不自动打开浏览器")
    ] = False,
) -> None:
    """一条命令体验：生成演示城市、启动本地 Bot API 模拟器和机器人，在浏览器里同时扮演网格员、
    指导员、网格长、乡镇负责人和管理员（--console：在控制台里聊天）。"""
    if console:
        from bot.demo import run_demo

        sys.exit(
            asyncio.run(
                run_demo(directory=directory, enterprises=enterprises, towns=towns, reset=reset)
            )
        )
    from bot.sandbox.run import run_sandbox

    sys.exit(
        asyncio.run(
            run_sandbox(
                directory=directory,
                enterprises=enterprises,
                towns=towns,
                reset=reset,
                port=port,
                open_browser=not no_browser,
            )
        )
    )
