"""`gridbot export KIND --period P [--town 镇 | --grid 网格] --out FILE`: an Excel 台账."""

from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.cli import common
from services.oversight import texts
from services.oversight.exports import (
    Export,
    ExportError,
    ExportKind,
    build_export,
    named_scope,
    parse_kind,
    parse_period,
)

export_app = typer.Typer(
    help="导出 Excel 台账：activities（活动台账）、notices（通知确认名单）、"
    "reports（月度情况汇报）、questions（问题台账）。",
    # One command without subcommands: let its options follow the KIND argument.
    context_settings={"allow_interspersed_args": True},
)

KINDS = "、".join(f"{k.value}（{texts.EXPORT_KIND_NAMES[k.value]}）" for k in ExportKind)


@export_app.callback(invoke_without_command=True)
def export_command(
    kind: Annotated[str, typer.Argument(help=f"台账类型：{KINDS}")],
    period: Annotated[
        str, typer.Option("--period", help="期间：月份 2026-11、季度 2026Q4 或年份 2026")
    ],
    town: Annotated[str | None, typer.Option("--town", help="只导出该乡镇（街道）")] = None,
    grid: Annotated[str | None, typer.Option("--grid", help="只导出该三级网格")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="输出 .xlsx 文件")] = None,
) -> None:
    """导出一种台账（全市，或指定乡镇、网格）。"""
    settings = common.settings()
    try:
        export_kind, export_period = parse_kind(kind), parse_period(period)
    except ExportError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc

    async def work(sessions: async_sessionmaker[AsyncSession]) -> Export:
        async with sessions() as session:
            scope, label = await named_scope(session=session, town=town, grid=grid)
            return await build_export(
                session=session,
                kind=export_kind,
                period=export_period,
                tz=settings.tz,
                scope=scope,
                scope_label=label,
            )

    try:
        export = common.with_sessions(settings, work)
    except ExportError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    target = out if out is not None else Path(export.filename)
    target.write_bytes(export.content)
    typer.echo(
        texts.EXPORT_WRITTEN.format(
            kind=texts.EXPORT_KIND_NAMES[export_kind.value],
            period=export_period.label,
            rows=export.rows,
            path=target,
        )
    )
