"""`gridbot audit export`: the audit trail of administrative changes as an Excel workbook."""

from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.cli import common

audit_app = typer.Typer(
    help="操作记录：谁、何时、做了哪些管理操作（导入、划分、评定、审核、绑定、交接）。"
)


@audit_app.command("export")
def audit_export(
    out: Annotated[Path, typer.Option("--out", help="输出 .xlsx 文件")] = Path("操作记录.xlsx"),
) -> None:
    """把全部操作记录导出为 Excel（按时间先后）。"""
    from models import audit as queries
    from services.audit import workbook

    settings = common.settings()

    async def work(sessions: async_sessionmaker[AsyncSession]) -> tuple[int, bytes]:
        async with sessions() as session:
            entries = await queries.entries_between(session=session, start=None, end=None)
        return len(entries), workbook(entries, settings.tz)

    count, data = common.with_sessions(settings, work)
    try:
        out.write_bytes(data)
    except OSError as exc:
        typer.echo(f"无法写入 {out}：{exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"已导出 {count} 条操作记录：{out}")
