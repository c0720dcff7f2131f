"""/study: this year's continuing-education hours against the target, and a guided entry of one
study (date, topic, hours, confirm). Nothing is written until [确认登记]."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
)

from handlers.access import guarded_step, parse_pressed, refuse
from handlers.context import GridApplication, GridContext
from handlers.conversation import PRIVATE, PRIVATE_TEXT, DraftEnd, conversation, reply, user_data
from handlers.keyboards import markup
from models.study import SOURCE_IMPORT
from services import study as service
from services import texts as shared_texts
from services.access import Capability, CommandSpec, Viewer
from services.study import texts
from services.study.buttons import StudyAnswer, StudyChoice, confirm_keyboard

COMMANDS = (
    CommandSpec(
        "study",
        "继续教育学时",
        "查看今年已登记的统计继续教育学时，并登记一次学习（日期、内容、学时）。",
        Capability.USE_BOT,
    ),
)

CONVERSATION_TIMEOUT = timedelta(minutes=15)
DATE, TOPIC, HOURS, CONFIRM = range(4)


@dataclass
class StudyDraft:
    studied_on: date | None = None
    topic: str | None = None
    hours: float | None = None


# Dropping the draft: /cancel and silence ([取消] is `discarded`).
ENDS = DraftEnd(
    StudyDraft, cancelled_text=texts.STUDY_CANCELLED, timed_out_text=texts.STUDY_TIMED_OUT
)


def _draft(context: GridContext) -> StudyDraft:
    return user_data(context).get_or_new(StudyDraft)


def _today(context: GridContext) -> date:
    return datetime.now(UTC).astimezone(context.bot_data.settings.tz).date()


def _target(context: GridContext) -> float:
    return context.bot_data.duties_config.education.yearly_target_hours


def _limits(context: GridContext) -> service.HourLimits:
    education = context.bot_data.duties_config.education
    return service.HourLimits(
        per_entry=education.max_hours_per_entry, per_day=education.max_hours_per_day
    )


@guarded_step(Capability.USE_BOT)
async def study_command(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> int:
    today = _today(context)
    overview = await service.overview(session=session, person_id=viewer.person_id, year=today.year)
    lines = [texts.study_summary(year=today.year, hours=overview.hours, target=_target(context))]
    if overview.recent:
        lines += ["", texts.STUDY_RECENT_HEADING]
        lines += [
            texts.study_recent_line(
                day=record.studied_on.isoformat(),
                topic=record.topic,
                hours=record.hours,
                imported=record.source == SOURCE_IMPORT,
            )
            for record in overview.recent
        ]
    lines += ["", texts.study_date_prompt(today)]
    user_data(context).keep(StudyDraft())
    await reply(update, "\n".join(lines))
    return DATE


@guarded_step(Capability.USE_BOT)
async def got_date(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> int:
    assert update.effective_message is not None
    try:
        day = service.parse_study_date(update.effective_message.text or "", today=_today(context))
    except service.StudyDateError as error:
        await reply(update, error.message)
        return DATE
    limits = _limits(context)
    recorded, room = await service.day_room(
        session=session, person_id=viewer.person_id, day=day, limits=limits
    )
    if room < service.MIN_HOURS:
        day_full = texts.study_day_full(
            day=day.isoformat(), recorded=recorded, room=room, per_day=limits.per_day
        )
        await reply(update, day_full + texts.STUDY_OTHER_DATE)
        return DATE
    _draft(context).studied_on = day
    await reply(update, texts.STUDY_TOPIC_PROMPT)
    return TOPIC


async def got_topic(update: Update, context: GridContext) -> int:
    assert update.effective_message is not None
    topic = service.clean_topic(update.effective_message.text or "")
    if topic is None:
        await reply(update, texts.STUDY_TOPIC_BAD)
        return TOPIC
    _draft(context).topic = topic
    await reply(update, texts.study_hours_prompt(_limits(context).per_entry))
    return HOURS


@guarded_step(Capability.USE_BOT)
async def got_hours(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> int:
    assert update.effective_message is not None
    limits = _limits(context)
    hours = service.parse_hours(update.effective_message.text or "", most=limits.per_entry)
    if hours is None:
        await reply(update, texts.study_hours_bad(limits.per_entry))
        return HOURS
    draft = _draft(context)
    assert draft.studied_on is not None
    assert draft.topic is not None
    recorded, room = await service.day_room(
        session=session, person_id=viewer.person_id, day=draft.studied_on, limits=limits
    )
    if hours > room:
        day_full = texts.study_day_full(
            day=draft.studied_on.isoformat(), recorded=recorded, room=room, per_day=limits.per_day
        )
        await reply(update, day_full + texts.STUDY_AGAIN)
        return HOURS
    draft.hours = hours
    text = texts.study_confirm(day=draft.studied_on.isoformat(), topic=draft.topic, hours=hours)
    await reply(update, text, markup(confirm_keyboard()))
    return CONFIRM


async def answered(update: Update, context: GridContext) -> object:
    """[确认登记] or [取消] under the entry; anything else in their place is refused."""
    query = update.callback_query
    assert query is not None
    choice = await parse_pressed(update, StudyChoice)
    if choice is None:
        return CONFIRM
    if choice.answer == StudyAnswer.DISCARD:
        return await discarded(update, context)
    return await confirmed(update, context)


# The person is looked up again: the press may come long after /study.
@guarded_step(Capability.USE_BOT)
async def confirmed(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> int:
    query = update.callback_query
    assert query is not None
    draft = user_data(context).drop(StudyDraft)
    if draft is None or draft.studied_on is None or draft.topic is None or draft.hours is None:
        await refuse(update, shared_texts.STALE_BUTTON)
        return ConversationHandler.END
    try:
        total = await service.record_study(
            session=session,
            person_id=viewer.person_id,
            studied_on=draft.studied_on,
            topic=draft.topic,
            hours=draft.hours,
            limits=_limits(context),
        )
    except service.DayFullError as error:
        await query.answer()
        await query.edit_message_reply_markup(None)
        await reply(update, f"{error}{texts.STUDY_NOT_SAVED}")
        return ConversationHandler.END
    await session.commit()
    await query.answer()
    await query.edit_message_reply_markup(None)
    await reply(
        update, texts.study_saved(year=draft.studied_on.year, hours=total, target=_target(context))
    )
    return ConversationHandler.END


async def discarded(update: Update, context: GridContext) -> int:
    query = update.callback_query
    assert query is not None
    user_data(context).drop(StudyDraft)
    await query.answer()
    await query.edit_message_reply_markup(None)
    await reply(update, texts.STUDY_CANCELLED)
    return ConversationHandler.END


async def press_a_button(update: Update, _context: GridContext) -> int:
    await reply(update, texts.STUDY_PRESS_A_BUTTON)
    return CONFIRM


def register(app: GridApplication) -> None:
    study = conversation(
        label="学时登记",
        restart="发送 /study 重新开始",
        drafts=[StudyDraft],
        entry_points=[CommandHandler("study", study_command, filters=PRIVATE)],
        states={
            DATE: [MessageHandler(PRIVATE_TEXT, got_date)],
            TOPIC: [MessageHandler(PRIVATE_TEXT, got_topic)],
            HOURS: [MessageHandler(PRIVATE_TEXT, got_hours)],
            CONFIRM: [
                CallbackQueryHandler(answered, pattern=StudyChoice.pattern()),
                MessageHandler(PRIVATE_TEXT, press_a_button),
            ],
        },
        fallbacks=[CommandHandler("cancel", ENDS.cancelled, filters=PRIVATE)],
        timeout=CONVERSATION_TIMEOUT,
        timed_out_text=ENDS.timed_out_text,
    )
    app.add_handler(study)
    # [确认]/[取消] of an entry whose conversation already ended (saved, cancelled, timed out):
    # without this the press would spin forever.
    app.add_handler(CallbackQueryHandler(stale_choice, pattern=StudyChoice.pattern()))


async def stale_choice(update: Update, _context: GridContext) -> None:
    await refuse(update, shared_texts.STALE_BUTTON)
