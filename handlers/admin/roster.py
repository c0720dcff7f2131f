"""The roster sent as a document by an admin: preview with [确认导入] [取消], then
[预览网格划分] and [确认划分] (services.roster_import.chat)."""

import logging
from datetime import UTC, datetime

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import InputFile, Message, Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from handlers.access import guarded, parse_pressed, refuse
from handlers.context import GridApplication, GridContext
from handlers.conversation import PRIVATE
from handlers.documents import download
from handlers.keyboards import markup
from services.access import Capability, Viewer
from services.roster_import import texts
from services.roster_import.buttons import PartitionStep, RosterConfirm
from services.roster_import.chat import (
    Decision,
    Reply,
    decide_upload,
    is_roster_file,
    may_import_roster,
    partition_step,
    prepare_upload,
    refusal_before_download,
)

log = logging.getLogger(__name__)


class _RosterDocument(filters.MessageFilter):
    """A document whose name or caption says 花名册."""

    def filter(self, message: Message) -> bool:
        document = message.document
        return document is not None and is_roster_file(document.file_name, message.caption)


ROSTER_FILES = PRIVATE & filters.Document.ALL & _RosterDocument()


async def _send(update: Update, context: GridContext, reply: Reply) -> None:
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_message(
        chat.id, reply.text, parse_mode="HTML", reply_markup=markup(reply.keyboard)
    )
    if reply.attachment is not None:
        name, data = reply.attachment
        await context.bot.send_document(
            chat.id, InputFile(data, filename=name), caption=texts.ERROR_REPORT_CAPTION
        )


@guarded(Capability.USE_BOT)
async def roster_sent(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    message = update.effective_message
    assert message is not None
    assert message.document is not None
    if not may_import_roster(viewer):
        log.info("roster upload refused to person %s", viewer.person_id)
        await message.reply_html(texts.NOT_ALLOWED)
        return
    document = message.document
    name = document.file_name or "花名册.xlsx"
    refused = refusal_before_download(name, document.file_size or 0)
    if refused is not None:
        await message.reply_html(refused)
        return
    data = await download(context, message, document, what="roster")
    if data is None:
        return
    settings = context.bot_data.settings
    now = datetime.now(UTC)
    reply = await prepare_upload(
        session=session,
        viewer=viewer,
        file_name=name,
        data=data,
        city_name=settings.city_name,
        today=now.astimezone(settings.tz).date(),
        now=now,
    )
    await session.commit()
    await _send(update, context, reply)


@guarded(Capability.USE_BOT)
async def confirm_pressed(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    query = update.callback_query
    assert query is not None
    pressed = await parse_pressed(update, RosterConfirm)
    if pressed is None:
        return
    settings = context.bot_data.settings
    now = datetime.now(UTC)
    decided = await decide_upload(
        session=session,
        viewer=viewer,
        upload_id=pressed.upload_id,
        go=pressed.go,
        city_name=settings.city_name,
        today=now.astimezone(settings.tz).date(),
        now=now,
    )
    if decided.decision is Decision.REFUSED:
        await session.rollback()
        await refuse(update, decided.reply.text)
        return
    await session.commit()
    await query.answer()
    await query.edit_message_reply_markup(None)
    await _send(update, context, decided.reply)


@guarded(Capability.USE_BOT)
async def partition_pressed(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    query = update.callback_query
    assert query is not None
    pressed = await parse_pressed(update, PartitionStep)
    if pressed is None:
        return
    settings = context.bot_data.settings
    decided = await partition_step(
        session=session,
        viewer=viewer,
        apply=pressed.apply,
        today=datetime.now(settings.tz).date(),
    )
    if decided.decision is Decision.REFUSED:
        await refuse(update, decided.reply.text)
        return
    await query.answer()
    await query.edit_message_reply_markup(None)
    await _send(update, context, decided.reply)


def register(app: GridApplication) -> None:
    # Above handlers.chase, which takes every other .xlsx/.csv as a 催报 list.
    app.add_handler(MessageHandler(ROSTER_FILES, roster_sent))
    app.add_handler(CallbackQueryHandler(confirm_pressed, pattern=RosterConfirm.pattern()))
    app.add_handler(CallbackQueryHandler(partition_pressed, pattern=PartitionStep.pattern()))
