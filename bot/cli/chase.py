"""`gridbot chase import FILE --period 2026-11 [--yes]` and `gridbot chase ledger`: 催报 from
the command line, city-wide (the running bot's outbox sends what is queued)."""

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.cli import common
from core.formatting import rendered_text
from models.db import transaction
from services.chase import texts
from services.chase.applying import ConfirmOutcome, confirm_import
from services.chase.cells import parse_period
from services.chase.ledger import chase_ledger
from services.chase.preview import prepare_import, refusal, result_text
from services.chase.reading import ChaseFileError
from services.duties.config import DutyConfigError, load_duties
from services.roster_import.cells import Invalid

chase_app = typer.Typer(
    help="催报：导入联网直报平台的未报/审核未通过名单，导出催报台账。", no_args_is_help=True
)


def _period(text: str) -> str:
    try:
        return parse_period(text)
    except Invalid as exc:
        raise typer.BadParameter(str(exc)) from exc


@chase_app.command("import")
def chase_import(
    file: Annotated[Path, typer.Argument(help="平台导出的 .xlsx 或 .csv 文件", exists=True)],
    period: Annotated[str, typer.Option("--period", help="报告期，如 2026-11")],
    yes: Annotated[bool, typer.Option("--yes", help="确认并发出催报（不加只预览）")] = False,
) -> None:
    """导入催报名单（全市范围）：任何一行有误则全部不导入；先预览，加 --yes 才发出催报。"""
    settings = common.settings()
    chosen = _period(period)
    try:
        send_time = load_duties(settings.duties_file).engine.send_time
    except DutyConfigError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc

    async def work(sessions: async_sessionmaker[AsyncSession]) -> list[str]:
        now = datetime.now(UTC)
        async with sessions() as session:
            preview = await prepare_import(
                session=session,
                file_name=file.name,
                data=file.read_bytes(),
                period=chosen,
                viewer=None,
                now=now,
                tz=settings.tz,
            )
            shown = [rendered_text(preview.text)]
            if preview.import_id is None or not yes:
                await session.rollback()
                if preview.import_id is not None:
                    shown.append(texts.CLI_CONFIRM_HINT)
                return shown
            result = await confirm_import(
                session=session,
                import_id=preview.import_id,
                viewer=None,
                now=now,
                tz=settings.tz,
                send_time=send_time,
            )
            assert result.outcome is ConfirmOutcome.DONE
            await session.commit()
            return [*shown, "", rendered_text(result_text(result, settings.tz, now))]

    try:
        lines = common.with_sessions(settings, work)
    except ChaseFileError as exc:
        typer.echo(rendered_text(refusal(file.name, exc)), err=True)
        raise typer.Exit(1) from exc
    for line in lines:
        typer.echo(line)


@chase_app.command("ledger")
def chase_ledger_command(
    period: Annotated[str, typer.Option("--period", help="报告期，如 2026-11")],
    out: Annotated[Path, typer.Option("--out", help="输出 .xlsx 文件")],
) -> None:
    """导出某报告期的催报台账（全市）：每一项的状态、申报与销号时间，及各网格、乡镇的销号率和及时率。"""
    settings = common.settings()
    chosen = _period(period)

    async def work(sessions: async_sessionmaker[AsyncSession]) -> int:
        async with transaction(sessions) as session:
            data, rows = await chase_ledger(
                session=session, period=chosen, viewer=None, tz=settings.tz
            )
        out.write_bytes(data)
        return rows

    rows = common.with_sessions(settings, work)
    typer.echo(f"已导出 {chosen} 催报台账 {rows} 项：{out}")
