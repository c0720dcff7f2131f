"""/export: Excel 台账 for leaders and admins, chosen with buttons (kind, then period) and
sent as a document. The scope is always the viewer's own, loaded again for every press; the
callback data names only a kind and a period, both checked before use."""

import re
from datetime import UTC, datetime

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from core.formatting import esc
from handlers.access import guarded, refuse
from handlers.context import GridApplication, GridContext
from services.access import Capability, CommandSpec, Viewer
from services.oversight import texts
from services.oversight.exports import (
    YEARLY_KINDS,
    ExportError,
    ExportKind,
    parse_kind,
    parse_period,
    recent_periods,
    viewer_export,
)
from services.oversight.scorecard import Period

COMMANDS = (
    CommandSpec(
        "export",
        "导出台账（Excel）",
        "导出您管辖范围内的活动台账、通知确认名单、月度情况汇报、问题台账，以及年度绩效评定、"
        "经费台账（Excel 文件）；也可直接发送 /export 类型 期间，例如 /export activities 2026-11。",
        Capability.VIEW_GRIDS,
    ),
)

CALLBACK_PATTERN = re.compile(r"^exp:(?:(m)|k:([a-z]{1,16})|p:([a-z]{1,16}):([0-9Q-]{4,7}))$")


def _kind_name(kind: ExportKind) -> str:
    return texts.EXPORT_KIND_NAMES[kind.value]


def kinds_markup() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(_kind_name(k), callback_data=f"exp:k:{k.value}")]
            for k in ExportKind
        ]
    )


def periods_markup(kind: ExportKind, now: datetime, context: GridContext) -> InlineKeyboardMarkup:
    today = now.astimezone(context.bot_data.settings.tz).date()
    periods = recent_periods(today)
    if kind in YEARLY_KINDS:
        periods = [p for p in periods if p.isdigit()]
    rows = [
        [
            InlineKeyboardButton(p, callback_data=f"exp:p:{kind.value}:{p}")
            for p in periods[i : i + 2]
        ]
        for i in range(0, len(periods), 2)
    ]
    rows.append([InlineKeyboardButton(texts.EXPORT_BACK, callback_data="exp:m")])
    return InlineKeyboardMarkup(rows)


async def send_export(
    message: Message,
    context: GridContext,
    viewer: Viewer,
    session: AsyncSession,
    kind: ExportKind,
    period: Period,
) -> int:
    """Build the viewer's workbook and send it as a document; returns its data rows.
    Raises ExportError (a Chinese message) when this kind cannot be had for this period."""
    export = await viewer_export(
        session=session,
        viewer=viewer,
        kind=kind,
        period=period,
        tz=context.bot_data.settings.tz,
        now=datetime.now(UTC),
    )
    await message.reply_document(
        document=export.content,
        filename=export.filename,
        caption=texts.EXPORT_CAPTION.format(kind=_kind_name(kind), period=period.label),
    )
    return export.rows


@guarded(Capability.VIEW_GRIDS)
async def export_command(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    message = update.effective_message
    assert message is not None
    args = context.args or []
    if not args:
        await message.reply_html(texts.EXPORT_CHOOSE_KIND, reply_markup=kinds_markup())
        return
    try:
        if len(args) != 2:
            raise ExportError(texts.EXPORT_USAGE)
        kind, period = parse_kind(args[0]), parse_period(args[1])
        await send_export(message, context, viewer, session, kind, period)
    except ExportError as exc:
        await message.reply_html(esc(str(exc)))


@guarded(Capability.VIEW_GRIDS)
async def export_button(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    query = update.callback_query
    assert query is not None
    match = CALLBACK_PATTERN.fullmatch(query.data or "")
    try:
        if match is None:
            raise ExportError(texts.EXPORT_STALE)
        menu, chosen, raw_kind, raw_period = match.groups()
        kind = parse_kind(chosen or raw_kind) if not menu else None
        period = parse_period(raw_period) if raw_period else None
    except ExportError:
        await refuse(update, texts.EXPORT_STALE)
        return
    await query.answer()
    if kind is None:
        await query.edit_message_text(
            texts.EXPORT_CHOOSE_KIND, parse_mode="HTML", reply_markup=kinds_markup()
        )
        return
    if period is None:
        await query.edit_message_text(
            texts.EXPORT_CHOOSE_PERIOD.format(kind=_kind_name(kind)),
            parse_mode="HTML",
            reply_markup=periods_markup(kind, datetime.now(UTC), context),
        )
        return
    await query.edit_message_text(
        texts.EXPORT_WORKING.format(kind=_kind_name(kind), period=period.label)
    )
    assert isinstance(query.message, Message)
    try:
        rows = await send_export(query.message, context, viewer, session, kind, period)
    except ExportError as exc:
        await query.edit_message_text(str(exc))
        return
    await query.edit_message_text(
        texts.EXPORT_DONE.format(kind=_kind_name(kind), period=period.label, rows=rows)
    )


def register(app: GridApplication) -> None:
    app.add_handler(CommandHandler("export", export_command, filters=filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(export_button, pattern=r"^exp:"))
