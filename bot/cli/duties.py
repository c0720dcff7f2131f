"""`gridbot duties`: preview the reminders of a moment, and the duty status of a month or
quarter, on the console (plain text, Chinese)."""

import asyncio
import html
import re
from datetime import UTC, datetime
from typing import Annotated

import typer
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.cli import common
from core.settings import Settings
from knowledge.base import KnowledgeBase
from services import workdays
from services.duties import texts
from services.duties.config import (
    DutiesConfig,
    DutyConfigError,
    load_duties,
    workday_overrides,
)
from services.duties.status import CITY, PreviewLine, preview_lines
from services.duty_registry import build_duties
from services.reports.status import monthly_text, quarterly_text

duties_app = typer.Typer(
    help="职责与提醒：预览某一时刻将发出的提醒，查看各乡镇、网格的履职情况。",
    no_args_is_help=True,
)

_TAG_RE = re.compile(r"<[^<>]*>")
EXCERPT_CHARS = 60


def plain(text: str) -> str:
    """A bot message as console text: tags dropped, entities decoded."""
    return html.unescape(_TAG_RE.sub("", text))


def _excerpt(text: str) -> str:
    flat = " ".join(plain(text).split())
    return flat if len(flat) <= EXCERPT_CHARS else flat[: EXCERPT_CHARS - 1] + "…"


def _config(settings: Settings) -> DutiesConfig:
    try:
        config = load_duties(settings.duties_file)
        workdays.use_overrides(workday_overrides(config))
    except DutyConfigError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    return config


def parse_moment(value: str, settings: Settings) -> datetime:
    """ "2026-12-24 09:00" in the bot's time zone (now when empty), as UTC."""
    if not value:
        return datetime.now(UTC)
    try:
        moment = datetime.strptime(value.strip(), "%Y-%m-%d %H:%M").replace(tzinfo=settings.tz)
        # 0001-01-01 00:00 east of UTC falls before year 1: OverflowError.
        return moment.astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        typer.echo(texts.DUTIES_BAD_MOMENT, err=True)
        raise typer.Exit(2) from exc


def render_preview(lines: list[PreviewLine], at_label: str) -> str:
    if not lines:
        return texts.DUTIES_PREVIEW_NONE.format(at=at_label)
    rendered = [texts.DUTIES_PREVIEW_TITLE.format(at=at_label, count=len(lines))]
    for line in lines:
        duty = line.reminder.duty
        rendered.append(
            texts.DUTIES_PREVIEW_LINE.format(
                duty=texts.DUTY_NAMES.get(duty, duty),
                who=line.recipient,
                outcome=(
                    texts.DUTIES_PREVIEW_SEND
                    if line.skip is None
                    else texts.DUTIES_PREVIEW_SKIP.format(why=line.skip)
                ),
                text=_excerpt(line.reminder.text),
            )
        )
    return "\n".join(rendered)


@duties_app.command("preview")
def preview(
    at: Annotated[
        str, typer.Option("--at", help='北京时间，如 "2026-12-24 09:00"；省略则为现在')
    ] = "",
) -> None:
    """列出在该时刻将发出（或因过期、未绑定而跳过）的提醒及收件人；只读，不发送、不记录。"""
    settings = common.settings()
    config = _config(settings)
    moment = parse_moment(at, settings)

    async def work(sessions: async_sessionmaker[AsyncSession]) -> list[PreviewLine]:
        # The weekly law tip draws on the knowledge base, as in the running bot.
        knowledge = await asyncio.to_thread(KnowledgeBase.load)
        duties = build_duties(config=config, settings=settings, knowledge=knowledge)
        async with sessions() as session:
            return await preview_lines(session=session, duties=duties, at=moment)

    lines = common.with_sessions(settings, work)
    typer.echo(render_preview(lines, f"{moment.astimezone(settings.tz):%Y-%m-%d %H:%M}"))


@duties_app.command("status")
def status(
    period: Annotated[str, typer.Option("--period", help="月份，如 2026-12")] = "",
    quarter: Annotated[str, typer.Option("--quarter", help="季度，如 2026Q4")] = "",
) -> None:
    """按乡镇、网格列出：谁提交了月度汇报、谁听取了汇报，哪些网格本季度开展了活动。"""
    if not period and not quarter:
        typer.echo(texts.DUTIES_STATUS_NEEDS_ONE, err=True)
        raise typer.Exit(2)
    settings = common.settings()

    async def work(sessions: async_sessionmaker[AsyncSession]) -> str:
        parts = []
        async with sessions() as session:
            if period:
                parts.append(
                    await monthly_text(session=session, period=period, scope=CITY, tz=settings.tz)
                )
            if quarter:
                parts.append(
                    await quarterly_text(
                        session=session, quarter=quarter, scope=CITY, tz=settings.tz
                    )
                )
        return "\n\n".join(parts)

    try:
        report = common.with_sessions(settings, work)
    except ValueError as exc:
        # A malformed --period or --quarter; the duty says how it should look.
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from exc
    typer.echo(plain(report))
