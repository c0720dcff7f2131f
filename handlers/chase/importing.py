"""A list sent as a document: read, matched, previewed with [确认催报]; the press applies it."""

import logging
from datetime import UTC, datetime

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Update

from handlers.access import guarded, parse_pressed, refuse
from handlers.context import GridContext
from handlers.documents import download
from handlers.keyboards import markup
from services.access import Capability, Viewer
from services.chase import texts
from services.chase.applying import ConfirmOutcome, cancel_import, confirm_import
from services.chase.buttons import ChaseConfirm, confirm_keyboard
from services.chase.cells import parse_period
from services.chase.preview import prepare_import, refusal, result_text
from services.chase.reading import ChaseFileError
from services.chase.scope import may_import
from services.roster_import.cells import Invalid

log = logging.getLogger(__name__)

MAX_FILE_MB = 10


@guarded(Capability.USE_BOT)
async def document_sent(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    message = update.effective_message
    assert message is not None
    assert message.document is not None
    if not may_import(viewer):
        log.info("chase list refused to person %s", viewer.person_id)
        await message.reply_html(texts.NOT_ALLOWED)
        return
    document = message.document
    if (document.file_size or 0) > MAX_FILE_MB * 1024 * 1024:
        await message.reply_html(texts.FILE_TOO_BIG.format(mb=MAX_FILE_MB))
        return
    period = None
    if message.caption and message.caption.strip():
        try:
            period = parse_period(message.caption.strip())
        except Invalid as exc:
            await message.reply_html(texts.CAPTION_PERIOD_BAD.format(reason=exc))
            return
    data = await download(context, message, document, what="chase list")
    if data is None:
        return
    name = document.file_name or "名单"
    settings = context.bot_data.settings
    try:
        preview = await prepare_import(
            session=session,
            file_name=name,
            data=data,
            period=period,
            viewer=viewer,
            now=datetime.now(UTC),
            tz=settings.tz,
        )
    except ChaseFileError as exc:
        await session.rollback()
        await message.reply_html(refusal(name, exc))
        return
    await session.commit()
    buttons = None if preview.import_id is None else confirm_keyboard(preview.import_id)
    await message.reply_html(preview.text, reply_markup=markup(buttons))


@guarded(Capability.USE_BOT)
async def confirm_pressed(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    query = update.callback_query
    assert query is not None
    pressed = await parse_pressed(update, ChaseConfirm)
    if pressed is None:
        return
    if not may_import(viewer):
        await refuse(update, texts.NOT_ALLOWED)
        return
    refusals = {
        ConfirmOutcome.UNKNOWN: texts.IMPORT_UNKNOWN,
        ConfirmOutcome.NOT_IMPORTER: texts.NOT_IMPORTER,
        ConfirmOutcome.ALREADY: texts.ALREADY_CONFIRMED,
    }
    assert update.effective_chat is not None
    if not pressed.go:
        outcome = await cancel_import(session=session, import_id=pressed.import_id, viewer=viewer)
        if outcome in refusals:
            await session.rollback()
            await refuse(update, refusals[outcome])
            return
        await session.commit()
        await query.answer()
        await query.edit_message_reply_markup(None)
        await context.bot.send_message(update.effective_chat.id, texts.CANCELLED)
        return
    settings = context.bot_data.settings
    now = datetime.now(UTC)
    result = await confirm_import(
        session=session,
        import_id=pressed.import_id,
        viewer=viewer,
        now=now,
        tz=settings.tz,
        send_time=context.bot_data.duties_config.engine.send_time,
    )
    if result.outcome in refusals:
        await session.rollback()
        await refuse(update, refusals[result.outcome])
        return
    await session.commit()
    context.bot_data.outbox.wake()
    await query.answer()
    await query.edit_message_reply_markup(None)
    await context.bot.send_message(
        update.effective_chat.id, result_text(result, settings.tz, now), parse_mode="HTML"
    )
