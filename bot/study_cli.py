"""`gridbot study import FILE.xlsx`: continuing-education hours (手机号, 日期, 内容, 学时)."""

import asyncio
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from core.settings import SettingsError, load_settings
from models.db import create_engine, session_factory, transaction
from models.migrate import current_revision
from services.study import ImportResult, import_study_file

study_app = typer.Typer(help="统计继续教育：导入学时。", no_args_is_help=True)


@study_app.command("import")
def study_import(
    file: Annotated[
        Path, typer.Argument(help="学时 .xlsx 文件（手机号、日期、内容、学时）", exists=True)
    ],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只校验，不写入")] = False,
) -> None:
    """导入继续教育学时。任何一行有误则全部不导入；已导入过的记录（同一人、同一天、同一内容）自动跳过。"""
    try:
        settings = load_settings()
    except SettingsError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    today = datetime.now(UTC).astimezone(settings.tz).date()

    async def run() -> ImportResult:
        engine = create_engine(settings.database_url)
        try:
            if await current_revision(engine) is None:
                typer.echo("数据库尚未初始化，请先运行：gridbot db upgrade", err=True)
                raise typer.Exit(2)
            # All or nothing: the rows go in one transaction, which an error rolls back.
            async with transaction(session_factory(engine)) as session:
                return await import_study_file(
                    session=session, path=file, today=today, dry_run=dry_run
                )
        finally:
            await engine.dispose()

    try:
        result = asyncio.run(run())
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
