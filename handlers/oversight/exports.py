"""/export: Excel 台账 for leaders and admins, chosen with buttons (kind, then period) and
sent as a document. The scope is always the viewer's own, loaded again for every press; the
callback data names only a kind and a period, both checked when it is parsed."""

from datetime import UTC, datetime

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Message, Update
from telegram.constants import ChatAction
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from core.formatting import esc
from handlers.access import guarded, refuse
from handlers.context import GridApplication, GridContext
from handlers.edits import unless_unchanged
from handlers.keyboards import markup
from services.access import Capability, CommandSpec, Viewer
from services.limits import Action, refusal, rule, take
from services.oversight import texts
from services.oversight.buttons import ExportChoice, kinds_keyboard, periods_keyboard
from services.oversight.exports import (
    ExportError,
    ExportKind,
    parse_kind,
    parse_period,
    viewer_export,
)
from services.oversight.periods import Period

COMMANDS = (
    CommandSpec(
        "export",
        "导出台账（Excel）",
        "导出您管辖范围内的活动台账、通知确认名单、月度情况汇报、问题台账，以及年度绩效评定、"
        "经费台账（Excel 文件）；也可直接发送 /export 类型 期间，例如 /export 问题台账 2026-11。",
        Capability.VIEW_GRIDS,
    ),
)


def _kind_name(kind: ExportKind) -> str:
    return texts.EXPORT_KIND_NAMES[kind.value]


async def send_export(
    message: Message,
    context: GridContext,
    viewer: Viewer,
    session: AsyncSession,
    kind: ExportKind,
    period: Period,
) -> int:
    """Build the viewer's workbook and send it as a document; returns its data rows. `message`
    (a bot message) shows each step while it is built (a city's year takes seconds) and the
    document comes as a reply to it. Raises ExportError (a Chinese message) when this kind
    cannot be had for this period, or when the viewer has built too many exports lately (each
    build counts, before it starts)."""
    settings, now = context.bot_data.settings, datetime.now(UTC)
    retry_at = await take(
        session=session, person_id=viewer.person_id, rule=rule(settings, Action.EXPORT), now=now
    )
    if retry_at is not None:
        raise ExportError(refusal(Action.EXPORT, retry_at, now=now, tz=settings.tz))
    await session.commit()

    async def progress(step: str) -> None:
        await message.chat.send_action(ChatAction.UPLOAD_DOCUMENT)
        await _show(
            message,
            texts.EXPORT_PROGRESS.format(kind=_kind_name(kind), period=period.label, step=step),
        )

    export = await viewer_export(
        session=session,
        viewer=viewer,
        kind=kind,
        period=period,
        tz=settings.tz,
        now=now,
        duties=context.bot_data.duties_config,
        progress=progress,
    )
    await message.reply_document(
        document=export.content,
        filename=export.filename,
        caption=texts.EXPORT_CAPTION.format(kind=_kind_name(kind), period=period.label),
    )
    return export.rows


async def _show(message: Message, text: str) -> None:
    with unless_unchanged():
        await message.edit_text(text)


@guarded(Capability.VIEW_GRIDS)
async def export_command(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    message = update.effective_message
    assert message is not None
    args = context.args or []
    if not args:
        await message.reply_html(texts.EXPORT_CHOOSE_KIND, reply_markup=markup(kinds_keyboard()))
        return
    try:
        if len(args) != 2:
            raise ExportError(texts.EXPORT_USAGE)
        kind, period = parse_kind(args[0]), parse_period(args[1])
    except ExportError as exc:
        await message.reply_html(esc(str(exc)))
        return
    status = await message.reply_text(
        texts.EXPORT_WORKING.format(kind=_kind_name(kind), period=period.label)
    )
    try:
        rows = await send_export(status, context, viewer, session, kind, period)
    except ExportError as exc:
        await _show(status, str(exc))
        return
    await _show(
        status, texts.EXPORT_DONE.format(kind=_kind_name(kind), period=period.label, rows=rows)
    )


@guarded(Capability.VIEW_GRIDS)
async def export_button(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    query = update.callback_query
    assert query is not None
    choice = ExportChoice.parse(query.data)
    if choice is None:
        await refuse(update, texts.EXPORT_STALE)
        return
    await query.answer()
    if choice.kind is None:
        await query.edit_message_text(
            texts.EXPORT_CHOOSE_KIND, parse_mode="HTML", reply_markup=markup(kinds_keyboard())
        )
        return
    kind = choice.kind
    if choice.period is None:
        today = datetime.now(UTC).astimezone(context.bot_data.settings.tz).date()
        await query.edit_message_text(
            texts.EXPORT_CHOOSE_PERIOD.format(kind=_kind_name(kind)),
            parse_mode="HTML",
            reply_markup=markup(periods_keyboard(kind, today)),
        )
        return
    # Checked when the payload was parsed: a period button names a valid period.
    period = parse_period(choice.period)
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
    app.add_handler(CallbackQueryHandler(export_button, pattern=ExportChoice.pattern()))
