"""`gridbot` command line: database, roster import, grid partition, invitations, running."""

import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.duties_cli import duties_app
from bot.export_cli import export_app
from bot.faq_cli import faq_app
from bot.oversight_cli import departments_app, evaluate_app, funding_app
from bot.runner import ALLOWED_UPDATES
from bot.study_cli import study_app
from core.settings import Settings, SettingsError, load_settings
from models.db import create_engine, session_factory, transaction
from models.migrate import current_revision, upgrade

app = typer.Typer(
    help="统计网格助手 gridbot：基层统计网格智治 Telegram 机器人。", no_args_is_help=True
)
db_app = typer.Typer(help="数据库：迁移到最新结构。", no_args_is_help=True)
grids_app = typer.Typer(help="网格：自动划分三级网格、查看网格树。", no_args_is_help=True)
invites_app = typer.Typer(help="邀请链接：导出每人的个人绑定链接。", no_args_is_help=True)
people_app = typer.Typer(
    help="人员：换绑（统计员更换或更换 Telegram 账号）。", no_args_is_help=True
)
app.add_typer(db_app, name="db")
app.add_typer(grids_app, name="grids")
app.add_typer(invites_app, name="invites")
app.add_typer(people_app, name="people")
app.add_typer(faq_app, name="faq")
app.add_typer(duties_app, name="duties")
app.add_typer(study_app, name="study")
app.add_typer(evaluate_app, name="evaluate")
app.add_typer(funding_app, name="funding")
app.add_typer(departments_app, name="departments")
app.add_typer(export_app, name="export")

T = TypeVar("T")


def _settings(*, require_token: bool = False) -> Settings:
    try:
        return load_settings(require_token=require_token)
    except SettingsError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc


def _with_sessions(
    settings: Settings, work: Callable[[async_sessionmaker[AsyncSession]], Awaitable[T]]
) -> T:
    """Run async work against the configured database and dispose of the engine afterwards."""

    async def runner() -> T:
        engine = create_engine(settings.database_url)
        try:
            if await current_revision(engine) is None:
                typer.echo("数据库尚未初始化，请先运行：gridbot db upgrade", err=True)
                raise typer.Exit(2)
            return await work(session_factory(engine))
        finally:
            await engine.dispose()

    return asyncio.run(runner())


@db_app.command("upgrade")
def db_upgrade() -> None:
    """把数据库结构迁移到最新版本（首次使用前运行）。"""
    settings = _settings()

    async def runner() -> str | None:
        engine = create_engine(settings.database_url)
        try:
            await upgrade(engine)
            return await current_revision(engine)
        finally:
            await engine.dispose()

    revision = asyncio.run(runner())
    typer.echo(f"数据库已是最新结构（版本 {revision}）。")


@app.command("import")
def import_command(
    files: Annotated[list[Path], typer.Argument(help="花名册 .xlsx 或 .csv 文件", exists=True)],
) -> None:
    """导入花名册（企业、人员）。任何一行有误则全部不导入，并生成错误报告。"""
    from services.roster_import import import_roster
    from services.roster_import.report import (
        RosterFileError,
        error_report_path,
        format_errors,
        write_error_report,
    )

    settings = _settings()

    async def work(sessions: async_sessionmaker[AsyncSession]):  # type: ignore[no-untyped-def]
        async with sessions() as session:
            return await import_roster(session=session, paths=files, city_name=settings.city_name)

    try:
        report = _with_sessions(settings, work)
    except RosterFileError as exc:
        typer.echo(f"无法读取花名册：{exc}", err=True)
        raise typer.Exit(1) from exc
    if not report.ok:
        typer.echo(format_errors(report.errors), err=True)
        target = write_error_report(report.errors, error_report_path(files[0]))
        typer.echo(
            f"\n共 {len(report.errors)} 处错误，未导入任何数据。错误报告已保存：{target}", err=True
        )
        raise typer.Exit(1)
    typer.echo(report.summary())


@grids_app.command("partition")
def grids_partition(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只显示划分方案，不写入")] = False,
) -> None:
    """按乡镇（街道）和行业把企业划入约20家的三级网格，并分配网格长、指导员。"""
    from services.grids.partition.run import partition

    settings = _settings()

    async def work(sessions: async_sessionmaker[AsyncSession]):  # type: ignore[no-untyped-def]
        async with sessions() as session:
            return await partition(session=session, dry_run=dry_run)

    typer.echo(_with_sessions(settings, work).render())


@grids_app.command("show")
def grids_show() -> None:
    """打印网格树及各级数量。"""
    from models.grid_tree import grid_tree
    from services.grids.tree import render_tree

    settings = _settings()

    async def work(sessions: async_sessionmaker[AsyncSession]) -> str:
        async with sessions() as session:
            return render_tree(await grid_tree(session=session))

    typer.echo(_with_sessions(settings, work))


async def _bot_username(settings: Settings, given: str | None) -> str:
    if given:
        return given.lstrip("@")
    if settings.bot_username:
        return settings.bot_username.lstrip("@")
    if settings.token is None:
        typer.echo(
            "生成链接需要机器人用户名：请用 --bot-username 指定，或设置 GRIDBOT_BOT_USERNAME"
            " 或 GRIDBOT_TOKEN。\nThe links need the bot's username: pass --bot-username or set"
            " GRIDBOT_BOT_USERNAME or GRIDBOT_TOKEN.",
            err=True,
        )
        raise typer.Exit(2)
    from telegram import Bot

    async with Bot(settings.require_token(), base_url=settings.bot_base_url) as bot:
        return bot.username


DEMO_DIR = Path("demo")

BotUsernameOption = Annotated[
    str | None, typer.Option("--bot-username", help="机器人用户名（不含 @），用于生成链接")
]


@invites_app.command("export")
def invites_export(
    out: Annotated[Path, typer.Option("--out", help="输出 .xlsx 文件")] = Path("invites.xlsx"),
    include_bound: Annotated[
        bool, typer.Option("--include-bound", help="也为已绑定的人员生成新链接")
    ] = False,
    bot_username: BotUsernameOption = None,
) -> None:
    """为每位尚未绑定的人员生成个人邀请链接（单次有效，默认30天）。"""
    from services.invite_export import export_invites, write_invites

    settings = _settings()

    async def work(sessions: async_sessionmaker[AsyncSession]):  # type: ignore[no-untyped-def]
        username = await _bot_username(settings, bot_username)
        async with transaction(sessions) as session:
            return await export_invites(
                session=session,
                bot_username=username,
                ttl=settings.invite_ttl,
                now=datetime.now(UTC),
                include_bound=include_bound,
            )

    rows = _with_sessions(settings, work)
    write_invites(rows, out, settings.tz)
    typer.echo(f"已生成 {len(rows)} 个邀请链接：{out}（旧的未使用链接已作废）")


@people_app.command("rebind")
def people_rebind(
    mobile: Annotated[str, typer.Argument(help="原人员的手机号")],
    new_name: Annotated[str | None, typer.Option("--new-name", help="接替人员姓名")] = None,
    new_mobile: Annotated[str | None, typer.Option("--new-mobile", help="接替人员手机号")] = None,
    bot_username: BotUsernameOption = None,
) -> None:
    """换绑：解除原 Telegram 绑定并生成新链接；指定接替人员时，企业和角色一并移交。"""
    from core.buttons import deep_link
    from services.onboarding import RebindError, RebindResult, rebind
    from services.roster_import.cells import normalise_mobile

    settings = _settings()
    mobiles = [normalise_mobile(m) for m in (mobile, new_mobile) if m is not None]
    if any(m is None for m in mobiles):
        typer.echo("手机号格式有误，应为11位大陆手机号。", err=True)
        raise typer.Exit(1)

    async def work(sessions: async_sessionmaker[AsyncSession]) -> tuple[RebindResult, str]:
        username = await _bot_username(settings, bot_username)
        async with transaction(sessions) as session:
            result = await rebind(
                session=session,
                mobile=mobiles[0] or "",
                new_name=new_name.strip() if new_name else None,
                new_mobile=mobiles[1] if len(mobiles) > 1 else None,
                ttl=settings.invite_ttl,
                now=datetime.now(UTC),
            )
        return result, username

    try:
        result, username = _with_sessions(settings, work)
    except RebindError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    if result.ended_telegram_user_id is not None:
        typer.echo(f"已解除 {result.old.name} 原有的 Telegram 绑定。")
    if result.new is not result.old:
        typer.echo(
            f"{result.new.name} 接替 {result.old.name}：移交企业 {result.moved_enterprises} 家、"
            f"角色 {result.moved_assignments} 个；{result.old.name} 的历史记录保留。"
        )
    typer.echo(
        f"{result.new.name} 的新邀请链接（单次有效，至 "
        f"{result.invite.expires_at.astimezone(settings.tz):%Y-%m-%d}）：\n"
        f"{deep_link(username, result.invite.token)}"
    )


@app.command("run")
def run() -> None:
    """以长轮询方式运行机器人（需要 GRIDBOT_TOKEN）。"""
    from bot.app import build_application
    from services.duties.config import DutyConfigError, load_duties

    settings = _settings(require_token=True)
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
        engine = create_engine(settings.database_url)
        try:
            return await current_revision(engine)
        finally:
            await engine.dispose()

    if asyncio.run(check_schema()) is None:
        typer.echo("数据库尚未初始化，请先运行：gridbot db upgrade", err=True)
        raise typer.Exit(2)
    build_application(settings).run_polling(allowed_updates=ALLOWED_UPDATES)


@app.command("demo")
def demo(
    directory: Annotated[
        Path, typer.Option("--dir", help="演示数据目录（每次重新生成）")
    ] = DEMO_DIR,
    enterprises: Annotated[int, typer.Option(help="演示企业数")] = 400,
    towns: Annotated[int, typer.Option(help="演示乡镇（街道）数")] = 8,
) -> None:
    """一条命令体验：生成演示城市、启动本地 Bot API 模拟器和机器人，在控制台里扮演任意人员聊天。"""
    from bot.demo import run_demo

    sys.exit(asyncio.run(run_demo(directory=directory, enterprises=enterprises, towns=towns)))


def main() -> None:
    app()
