"""Monthly grid reports in the chat: /report (a guided conversation for a level-3 网格长, each
part pre-filled with what the bot knows), and the digest's buttons: [查看 网格名] shows a
report, [已听取汇报] records the town's hearing.

Callback data names only ids; every press is checked again on the server against the viewer
(a client can send any data it likes). Nothing is stored before [提交].
"""

import logging
import re
from datetime import UTC, datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
)

from core.formatting import esc
from handlers.access import guarded, refuse
from handlers.context import GridApplication, GridContext
from handlers.conversation import (
    PRIVATE,
    PRIVATE_TEXT,
    DraftEnd,
    conversation,
    conversation_viewer,
    reply,
    user_data,
)
from models.db import transaction
from services import texts as shared_texts
from services.access import Capability, CommandSpec, Viewer
from services.duties.monthly_report import (
    HEAR_PREFIX,
    VIEW_PREFIX,
    MonthlyReportDuty,
)
from services.reports import monthly as service
from services.reports import texts

log = logging.getLogger(__name__)

COMMANDS = (
    CommandSpec(
        "report",
        "月度网格情况汇报",
        "三级网格长提交本月网格情况汇报（活动、企业报送问题、需要帮助的事项、下月计划），"
        "机器人会根据活动签到、提问和通知记录给出建议。",
        # 网格长 and 网格指导员: the menu stays short for everyone else (the role is checked).
        Capability.ORGANISE_ACTIVITIES,
    ),
)

# Dropping the draft: /cancel, the preview's [取消], silence.
ENDS = DraftEnd(
    service.ReportDraft,
    cancelled_text=texts.REPORT_CANCELLED,
    timed_out_text=texts.REPORT_TIMED_OUT,
)
CONVERSATION_TIMEOUT = timedelta(minutes=15)
CHOOSE, PART, CONFIRM = range(3)

CHOOSE_GRID = re.compile(r"^mrn:g:(\d{1,10})$")
USE_SUGGESTION = re.compile(r"^mrn:use:(\d)$")
VIEW = re.compile(rf"^{VIEW_PREFIX}(\d{{1,10}})$")
HEAR = re.compile(rf"^{HEAR_PREFIX}(\d{{1,10}}):(\d{{4}}-\d{{2}})$")
SUBMIT, DISCARD = "mrn:ok", "mrn:no"


def _now() -> datetime:
    return datetime.now(UTC)


def _duty(context: GridContext) -> MonthlyReportDuty:
    settings, config = context.bot_data.settings, context.bot_data.duties_config
    return MonthlyReportDuty(
        config.monthly_report, send_time=config.engine.send_time, tz=settings.tz
    )


def _draft(context: GridContext) -> service.ReportDraft | None:
    draft = user_data(context).get(service.ReportDraft)
    return draft if isinstance(draft, service.ReportDraft) else None


# --- /report: the guided conversation ---------------------------------------------------------


async def report_command(update: Update, context: GridContext) -> int:
    user_data(context).drop(service.ReportDraft)
    async with context.bot_data.sessions() as session:
        viewer = await conversation_viewer(update, context, session, Capability.ORGANISE_ACTIVITIES)
        if viewer is None:
            return ConversationHandler.END
        grids = await service.head_grids(session=session, viewer=viewer)
        if not grids:
            await reply(update, texts.REPORT_NOT_GRID_HEAD)
            return ConversationHandler.END
        if len(grids) == 1:
            assert grids[0].id is not None
            return await _begin(update, context, session, viewer, grids[0].id)
    rows = [[InlineKeyboardButton(grid.name, callback_data=f"mrn:g:{grid.id}")] for grid in grids]
    await reply(update, texts.REPORT_CHOOSE_GRID, InlineKeyboardMarkup(rows))
    return CHOOSE


async def chose_grid(update: Update, context: GridContext) -> int:
    query = update.callback_query
    assert query is not None
    match = CHOOSE_GRID.fullmatch(query.data or "")
    async with context.bot_data.sessions() as session:
        viewer = await conversation_viewer(update, context, session, Capability.ORGANISE_ACTIVITIES)
        if viewer is None:
            return ConversationHandler.END
        if match is None or int(match[1]) not in service.head_grid_ids(viewer):
            await refuse(update, shared_texts.FORBIDDEN_SCOPE)
            return CHOOSE
        await query.answer()
        await query.edit_message_reply_markup(None)
        return await _begin(update, context, session, viewer, int(match[1]))


async def _begin(
    update: Update, context: GridContext, session: AsyncSession, viewer: Viewer, grid_id: int
) -> int:
    duty = _duty(context)
    try:
        draft = await service.start_draft(
            session=session, viewer=viewer, grid_id=grid_id, now=_now(), duty=duty
        )
    except service.ReportError as error:
        await reply(update, _problem_text(error, context))
        return ConversationHandler.END
    user_data(context).keep(draft)
    await _ask(update, draft)
    return PART


def _problem_text(error: service.ReportError, context: GridContext) -> str:
    if error.problem == service.ReportProblem.LOCKED and error.existing is not None:
        report = error.existing
        when = report.submitted_at.astimezone(context.bot_data.settings.tz)
        return texts.REPORT_LOCKED.format(
            grid="本网格",
            period=texts.period_label(report.period),
            when=when.strftime("%m-%d %H:%M"),
        )
    return texts.REPORT_NOT_GRID_HEAD


async def _ask(update: Update, draft: service.ReportDraft) -> None:
    suggestion = draft.suggestions[draft.step]
    label = texts.REPORT_USE_SUGGESTION if suggestion else texts.REPORT_NOTHING
    button = InlineKeyboardButton(label, callback_data=f"mrn:use:{draft.step}")
    await reply(
        update,
        texts.report_step(
            index=draft.step,
            suggestion=esc(suggestion) if suggestion else None,
            existing=draft.existing,
        ),
        InlineKeyboardMarkup([[button]]),
    )


async def _next(update: Update, draft: service.ReportDraft) -> int:
    if not draft.complete:
        await _ask(update, draft)
        return PART
    buttons = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(texts.REPORT_SUBMIT, callback_data=SUBMIT),
                InlineKeyboardButton(texts.REPORT_CANCEL, callback_data=DISCARD),
            ]
        ]
    )
    await reply(
        update,
        texts.report_preview(grid=draft.grid_name, period=draft.period, parts=draft.answers()),
        buttons,
    )
    return CONFIRM


async def got_part(update: Update, context: GridContext) -> int:
    assert update.effective_message is not None
    draft = _draft(context)
    if draft is None:
        return ConversationHandler.END
    part = service.clean_part(update.effective_message.text or "")
    if part is None:
        await reply(update, texts.REPORT_TEXT_BAD.format(limit=service.PART_MAX))
        return PART
    draft.parts.append(part)
    return await _next(update, draft)


async def used_suggestion(update: Update, context: GridContext) -> int:
    query = update.callback_query
    assert query is not None
    draft = _draft(context)
    match = USE_SUGGESTION.fullmatch(query.data or "")
    if draft is None or match is None or int(match[1]) != draft.step:
        await refuse(update, shared_texts.STALE_BUTTON)
        return PART
    draft.parts.append(draft.suggestions[draft.step] or texts.REPORT_NOTHING)
    await query.answer()
    await query.edit_message_reply_markup(None)
    return await _next(update, draft)


async def submitted(update: Update, context: GridContext) -> int:
    query = update.callback_query
    assert query is not None
    draft = _draft(context)
    if draft is None or not draft.complete:
        await refuse(update, shared_texts.STALE_BUTTON)
        return ConversationHandler.END
    async with transaction(context.bot_data.sessions) as session:
        viewer = await conversation_viewer(update, context, session, Capability.ORGANISE_ACTIVITIES)
        if viewer is None:
            return ConversationHandler.END
        try:
            result = await service.submit_report(
                session=session, viewer=viewer, draft=draft, now=_now(), duty=_duty(context)
            )
        except service.ReportError as error:
            result = None
            problem = _problem_text(error, context)
    user_data(context).drop(service.ReportDraft)
    await query.answer()
    await query.edit_message_reply_markup(None)
    if result is None:
        await reply(update, problem)
        return ConversationHandler.END
    if result.alerted:
        context.bot_data.outbox.wake()
    log.info(
        "monthly report %s for grid %s %s submitted (late=%s)",
        result.report_id,
        draft.grid_id,
        draft.period,
        result.late,
    )
    await reply(
        update,
        texts.report_submitted(
            grid=draft.grid_name, period=draft.period, late=result.late, replaced=result.replaced
        ),
    )
    return ConversationHandler.END


async def press_a_button(update: Update, _context: GridContext) -> None:
    await reply(update, texts.REPORT_PRESS_A_BUTTON)


async def stale_button(update: Update, _context: GridContext) -> None:
    await refuse(update, shared_texts.STALE_BUTTON)


# --- The digest's buttons -----------------------------------------------------------------------


@guarded(Capability.VIEW_GRIDS)
async def view_button(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    query = update.callback_query
    assert query is not None
    match = VIEW.fullmatch(query.data or "")
    text = (
        await service.readable_report(
            session=session,
            viewer=viewer,
            report_id=int(match[1]),
            tz=context.bot_data.settings.tz,
        )
        if match is not None
        else None
    )
    if text is None:
        log.info("report view %r refused to person %s", query.data, viewer.person_id)
        await refuse(update, texts.REPORT_NOT_FOUND)
        return
    await query.answer()
    assert update.effective_chat is not None
    await context.bot.send_message(update.effective_chat.id, text, parse_mode="HTML")


@guarded(Capability.VIEW_GRIDS)
async def hear_button(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    query = update.callback_query
    assert query is not None
    match = HEAR.fullmatch(query.data or "")
    if match is None:
        await refuse(update, shared_texts.STALE_BUTTON)
        return
    period = match[2]
    hearing = await service.confirm_hearing(
        session=session,
        viewer=viewer,
        town_id=int(match[1]),
        period=period,
        now=_now(),
        duty=_duty(context),
    )
    if hearing.outcome == service.HearingOutcome.FORBIDDEN:
        log.info("hearing %r refused to person %s", query.data, viewer.person_id)
        await refuse(update, texts.REPORT_HEARING_FORBIDDEN)
        return
    if hearing.outcome == service.HearingOutcome.TOO_EARLY:
        await refuse(update, texts.REPORT_HEARING_TOO_EARLY)
        return
    await session.commit()
    assert hearing.at is not None
    when = hearing.at.astimezone(context.bot_data.settings.tz).strftime("%m-%d %H:%M")
    label = texts.period_label(period)
    if hearing.outcome == service.HearingOutcome.ALREADY:
        await query.answer(
            texts.REPORT_HEARING_ALREADY.format(
                town=hearing.town, period=label, name=hearing.by, when=when
            )[:200]
        )
        return
    await query.answer()
    await _mark_heard(update, when)
    await reply(
        update,
        texts.REPORT_HEARING_DONE.format(town=esc(hearing.town), period=label, when=when),
    )


async def _mark_heard(update: Update, when: str) -> None:
    """Turn the digest's [已听取汇报] into a receipt; its [查看] buttons stay."""
    query = update.callback_query
    assert query is not None
    message = query.message
    markup = getattr(message, "reply_markup", None)
    if not isinstance(markup, InlineKeyboardMarkup):
        return
    rows = [
        [
            InlineKeyboardButton(
                texts.report_heard_button(when), callback_data=button.callback_data
            )
            if button.callback_data == query.data
            else button
            for button in row
        ]
        for row in markup.inline_keyboard
    ]
    try:
        await query.edit_message_reply_markup(InlineKeyboardMarkup(rows))
    except BadRequest as exc:
        # Pressed again on a digest that already shows the receipt.
        if "not modified" not in exc.message:
            raise


def register(app: GridApplication) -> None:
    report = conversation(
        entry_points=[CommandHandler("report", report_command, filters=PRIVATE)],
        states={
            CHOOSE: [CallbackQueryHandler(chose_grid, pattern=r"^mrn:g:")],
            PART: [
                MessageHandler(PRIVATE_TEXT, got_part),
                CallbackQueryHandler(used_suggestion, pattern=r"^mrn:use:"),
            ],
            CONFIRM: [
                CallbackQueryHandler(submitted, pattern=f"^{SUBMIT}$"),
                CallbackQueryHandler(ENDS.declined, pattern=f"^{DISCARD}$"),
            ],
        },
        fallbacks=[
            CommandHandler("cancel", ENDS.cancelled, filters=PRIVATE),
            MessageHandler(PRIVATE_TEXT, press_a_button),
            CallbackQueryHandler(stale_button, pattern=r"^mrn:"),
        ],
        timeout=CONVERSATION_TIMEOUT,
        timed_out=ENDS.timed_out,
    )
    app.add_handler(report)
    app.add_handler(CallbackQueryHandler(view_button, pattern=f"^{VIEW_PREFIX}"))
    app.add_handler(CallbackQueryHandler(hear_button, pattern=f"^{HEAR_PREFIX}"))
    # Buttons of a conversation that already ended (submitted, cancelled or timed out).
    app.add_handler(CallbackQueryHandler(stale_button, pattern=r"^mrn:"))
