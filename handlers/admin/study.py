"""Study hours sent as a document by an admin (name or caption says 学时): preview, then
[确认导入学时] [取消] (services.study.chat)."""

from datetime import UTC, datetime

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Message, Update
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from handlers.access import guarded, parse_pressed, refuse
from handlers.context import GridApplication, GridContext
from handlers.conversation import PRIVATE
from handlers.documents import download
from handlers.keyboards import markup
from services.access import Capability, Viewer
from services.roster_import.chat import Decision, may_import_roster
from services.study import HourLimits
from services.study import chat as study_chat


class _StudyDocument(filters.MessageFilter):
    def filter(self, message: Message) -> bool:
        document = message.document
        return document is not None and study_chat.is_study_file(
            document.file_name, message.caption
        )


STUDY_FILES = PRIVATE & filters.Document.ALL & _StudyDocument()


def _limits(context: GridContext) -> HourLimits:
    education = context.bot_data.duties_config.education
    return HourLimits(per_entry=education.max_hours_per_entry, per_day=education.max_hours_per_day)


@guarded(Capability.USE_BOT)
async def study_sent(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    message = update.effective_message
    assert message is not None
    assert message.document is not None
    if not may_import_roster(viewer):
        await message.reply_html(study_chat.NOT_ALLOWED)
        return
    document = message.document
    name = document.file_name or "学时.xlsx"
    refused = study_chat.refusal(name, document.file_size or 0)
    if refused is not None:
        await message.reply_html(refused)
        return
    data = await download(context, message, document, what="study workbook")
    if data is None:
        return
    now = datetime.now(UTC)
    reply = await study_chat.prepare_study_upload(
        session=session,
        viewer=viewer,
        file_name=name,
        data=data,
        today=now.astimezone(context.bot_data.settings.tz).date(),
        limits=_limits(context),
        now=now,
    )
    await session.commit()
    await message.reply_html(reply.text, reply_markup=markup(reply.keyboard))


@guarded(Capability.USE_BOT)
async def confirm_pressed(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    query = update.callback_query
    assert query is not None
    pressed = await parse_pressed(update, study_chat.StudyConfirm)
    if pressed is None:
        return
    now = datetime.now(UTC)
    decided = await study_chat.decide_study_upload(
        session=session,
        viewer=viewer,
        upload_id=pressed.upload_id,
        go=pressed.go,
        today=now.astimezone(context.bot_data.settings.tz).date(),
        limits=_limits(context),
        now=now,
    )
    if decided.decision is Decision.REFUSED:
        await session.rollback()
        await refuse(update, decided.reply.text)
        return
    await session.commit()
    await query.answer()
    await query.edit_message_reply_markup(None)
    assert update.effective_chat is not None
    await context.bot.send_message(update.effective_chat.id, decided.reply.text, parse_mode="HTML")


def register(app: GridApplication) -> None:
    app.add_handler(MessageHandler(STUDY_FILES, study_sent))
    app.add_handler(
        CallbackQueryHandler(confirm_pressed, pattern=study_chat.StudyConfirm.pattern())
    )
