"""`gridbot import`, `grids`, `invites` and `people`: the roster in, grids partitioned, personal
invitation links out, and rebinding a person."""

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.cli import common
from core.settings import Settings
from models.db import transaction

grids_app = typer.Typer(help="网格：自动划分三级网格、查看网格树。", no_args_is_help=True)
invites_app = typer.Typer(help="邀请链接：导出每人的个人绑定链接。", no_args_is_help=True)
people_app = typer.Typer(
    help="人员：换绑（统计员更换或更换 Telegram 账号）。", no_args_is_help=True
)


def import_command(
    files: Annotated[list[Path], typer.Argument(help="花名册 .xlsx 或 .csv 文件", exists=True)],
    joined_on: Annotated[
        str | None,
        typer.Option(
            "--joined-on",
            help="花名册没有「纳入日期」时新增企业的纳入日期，如 2026-01-01"
            "（默认：首次导入为当年1月1日，之后为导入当天）",
        ),
    ] = None,
    partial: Annotated[
        bool,
        typer.Option(
            "--partial",
            help="企业表只是所列乡镇街道的一部分企业：表中没有的企业不记为退出",
        ),
    ] = False,
    go_live: Annotated[
        str | None,
        typer.Option(
            "--go-live",
            help="首次导入时记录的系统启用日期，如 2026-12-01（默认：导入当天）；"
            "此前开始的月份和季度不提醒、不考核",
        ),
    ] = None,
) -> None:
    """导入花名册（企业、人员）。任何一行有误则全部不导入，并生成错误报告。"""
    from services.audit import Actor
    from services.roster_import import import_roster
    from services.roster_import.cells import Invalid, parse_date
    from services.roster_import.report import (
        RosterFileError,
        error_report_path,
        format_errors,
        write_error_report,
    )

    default_day = None
    go_live_day = None
    for flag, given in (("--joined-on", joined_on), ("--go-live", go_live)):
        if given is None:
            continue
        try:
            day = parse_date(given)
        except Invalid as exc:
            typer.echo(f"{flag}「{given}」：{exc}", err=True)
            raise typer.Exit(2) from exc
        if flag == "--joined-on":
            default_day = day
        else:
            go_live_day = day
    settings = common.settings()
    today = datetime.now(settings.tz).date()

    async def work(sessions: async_sessionmaker[AsyncSession]):  # type: ignore[no-untyped-def]
        async with sessions() as session:
            return await import_roster(
                session=session,
                paths=files,
                city_name=settings.city_name,
                joined_on=default_day,
                today=today,
                partial=partial,
                go_live=go_live_day,
                actor=Actor.cli(),
            )

    try:
        report = common.with_sessions(settings, work)
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
    from services.audit import Actor
    from services.grids.partition.run import partition

    settings = common.settings()

    async def work(sessions: async_sessionmaker[AsyncSession]):  # type: ignore[no-untyped-def]
        async with sessions() as session:
            return await partition(
                session=session,
                dry_run=dry_run,
                today=datetime.now(settings.tz).date(),
                actor=Actor.cli(),
            )

    typer.echo(common.with_sessions(settings, work).render())


@grids_app.command("golive")
def grids_golive(
    day: Annotated[
        str | None, typer.Argument(help="新的启用日期，如 2026-12-01；省略则只显示")
    ] = None,
) -> None:
    """显示或修改系统启用日期：此前开始的月份和季度不提醒、不考核（未纳入）。"""
    from models.grids import judging_starts, set_go_live
    from services.roster_import.cells import Invalid, parse_date

    new_day = None
    if day is not None:
        try:
            new_day = parse_date(day)
        except Invalid as exc:
            typer.echo(f"启用日期「{day}」：{exc}", err=True)
            raise typer.Exit(2) from exc
    settings = common.settings()

    async def work(sessions: async_sessionmaker[AsyncSession]) -> str:
        async with transaction(sessions) as session:
            before = (await judging_starts(session=session)).go_live
            if new_day is None:
                return f"启用日期：{before.isoformat()}" if before else "尚未记录启用日期。"
            if not await set_go_live(session=session, day=new_day):
                return "尚未导入花名册，无法设置启用日期。"
            was = before.isoformat() if before else "未记录"
            return (
                f"启用日期已由 {was} 改为 {new_day.isoformat()}；提醒、看板和年度评定"
                "从此日起开始的月份和季度计。"
            )

    typer.echo(common.with_sessions(settings, work))


@grids_app.command("show")
def grids_show() -> None:
    """打印网格树及各级数量。"""
    from models.grid_tree import grid_tree
    from services.grids.tree import render_tree

    settings = common.settings()

    async def work(sessions: async_sessionmaker[AsyncSession]) -> str:
        async with sessions() as session:
            return render_tree(await grid_tree(session=session))

    typer.echo(common.with_sessions(settings, work))


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


BotUsernameOption = Annotated[
    str | None, typer.Option("--bot-username", help="机器人用户名（不含 @），用于生成链接")
]


@invites_app.command("poster")
def invites_poster(
    town: Annotated[str, typer.Option("--town", help="乡镇（街道）名称，印在海报标题中")],
    out: Annotated[Path | None, typer.Option("--out", help="输出 .png 文件")] = None,
    bot_username: BotUsernameOption = None,
) -> None:
    """生成可打印的扫码绑定海报（A4 PNG）：二维码打开机器人，分享手机号即可绑定。"""
    from models.grids import towns
    from services.onboarding.poster import join_link, poster_png

    settings = common.settings()

    async def work(sessions: async_sessionmaker[AsyncSession]) -> tuple[dict[str, int], str]:
        async with sessions() as session:
            ids = {t.name: t.id for t in await towns(session=session) if t.id is not None}
        return ids, await _bot_username(settings, bot_username)

    ids, username = common.with_sessions(settings, work)
    names = list(ids)
    if town not in ids:
        known = "、".join(names) or "（还没有导入花名册）"
        typer.echo(f"没有名为「{town}」的乡镇（街道）。已有：{known}", err=True)
        raise typer.Exit(1)
    target = out or Path(f"绑定海报_{town}.png")
    try:
        data = poster_png(
            town=town, town_id=ids[town], bot_username=username, city=settings.city_name
        )
        target.write_bytes(data)
    except OSError as exc:
        typer.echo(f"无法写入 {target}：{exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"海报已保存：{target}（二维码：{join_link(username, ids[town])}）")


@invites_app.command("export")
def invites_export(
    out: Annotated[Path, typer.Option("--out", help="输出 .xlsx 文件")] = Path("invites.xlsx"),
    include_bound: Annotated[
        bool, typer.Option("--include-bound", help="也为已绑定的人员生成新链接")
    ] = False,
    bot_username: BotUsernameOption = None,
) -> None:
    """为每位尚未绑定的人员生成个人邀请链接（单次有效，默认30天）。"""
    from openpyxl.utils.exceptions import IllegalCharacterError
    from sqlalchemy.exc import SQLAlchemyError

    from services.invite_export import export_invites, write_invites
    from services.onboarding import texts

    settings = common.settings()

    async def work(sessions: async_sessionmaker[AsyncSession]):  # type: ignore[no-untyped-def]
        username = await _bot_username(settings, bot_username)
        written = False
        try:
            async with transaction(sessions) as session:
                rows = await export_invites(
                    session=session,
                    bot_username=username,
                    ttl=settings.invite_ttl,
                    now=datetime.now(UTC),
                    include_bound=include_bound,
                )
                # The file first: it is the only copy of the new links, and the commit below
                # revokes the old ones. An error here rolls the new links back.
                write_invites(rows, out, settings.tz)
                written = True
        except (OSError, IllegalCharacterError) as exc:
            typer.echo(texts.invites_not_written(out=out, reason=str(exc)), err=True)
            raise typer.Exit(1) from exc
        except SQLAlchemyError as exc:
            if written:
                # The links in the file were never stored: it must not be handed out.
                out.unlink(missing_ok=True)
            typer.echo(texts.invites_not_saved(out=out, reason=str(exc)), err=True)
            raise typer.Exit(1) from exc
        return rows

    rows = common.with_sessions(settings, work)
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
    from services.audit import Actor
    from services.onboarding import RebindError, RebindResult, rebind
    from services.roster_import.cells import normalise_mobile

    settings = common.settings()
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
                actor=Actor.cli(),
            )
        return result, username

    try:
        result, username = common.with_sessions(settings, work)
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
