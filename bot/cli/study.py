"""`gridbot study import FILE.xlsx`: continuing-education hours (手机号, 日期, 内容, 学时)."""

import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.cli import common
from models.db import transaction
from services.audit import Actor
from services.duties.config import DutyConfigError, load_duties
from services.study import HourLimits, ImportResult, import_study_file

study_app = typer.Typer(help="统计继续教育：导入学时。", no_args_is_help=True)


@study_app.command("import")
def study_import(
    file: Annotated[
        Path, typer.Argument(help="学时 .xlsx 文件（手机号、日期、内容、学时）", exists=True)
    ],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只校验，不写入")] = False,
) -> None:
    """导入继续教育学时。任何一行有误则全部不导入；已导入过的记录（同一人、同一天、同一内容）自动跳过。"""
    settings = common.settings()
    today = datetime.now(UTC).astimezone(settings.tz).date()
    try:
        education = load_duties(settings.duties_file).education
    except DutyConfigError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    limits = HourLimits(
        per_entry=education.max_hours_per_entry, per_day=education.max_hours_per_day
    )

    async def work(sessions: async_sessionmaker[AsyncSession]) -> ImportResult:
        # All or nothing: the rows go in one transaction, which an error rolls back.
        async with transaction(sessions) as session:
            return await import_study_file(
                session=session,
                path=file,
                today=today,
                limits=limits,
                dry_run=dry_run,
                actor=Actor.cli(),
            )

    try:
        result = common.with_sessions(settings, work)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        typer.echo(f"无法读取 {file}：请确认是 .xlsx 文件（{exc}）", err=True)
        raise typer.Exit(1) from exc
    if result.errors:
        for error in result.errors:
            typer.echo(error, err=True)
        typer.echo(f"\n共 {len(result.errors)} 处错误，未导入任何数据。", err=True)
        raise typer.Exit(1)
    verb = "可导入" if dry_run else "已导入"
    typer.echo(f"{verb} {result.imported} 条学时记录，跳过已有记录 {result.skipped} 条。")
