"""/report: a guided conversation for a level-3 网格长, each part pre-filled with what the bot
knows. Nothing is stored before [提交]."""

import logging
from datetime import UTC, datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
)

from core.formatting import esc
from handlers.access import guarded_step, refuse
from handlers.context import GridContext
from handlers.conversation import PRIVATE, PRIVATE_TEXT, DraftEnd, conversation, reply, user_data
from handlers.keyboards import markup
from services import texts as shared_texts
from services.access import Capability, Viewer
from services.reports import submission as service
from services.reports import texts
from services.reports.buttons import (
    CONVERSATION_BUTTONS,
    DiscardReport,
    ReportGridChoice,
    SubmitReport,
    UseSuggestion,
    grid_choice_keyboard,
    preview_keyboard,
    step_keyboard,
)
from services.reports.limits import clean_part
from services.reports.monthly_duty import MonthlyReportDuty

log = logging.getLogger(__name__)

# Dropping the draft: /cancel, the preview's [取消], silence.
ENDS = DraftEnd(
    service.ReportDraft,
    cancelled_text=texts.REPORT_CANCELLED,
    timed_out_text=texts.REPORT_TIMED_OUT,
)
CONVERSATION_TIMEOUT = timedelta(minutes=15)
CHOOSE, PART, CONFIRM = range(3)


def now() -> datetime:
    return datetime.now(UTC)


def monthly_duty(context: GridContext) -> MonthlyReportDuty:
    """The duty's schedule decides the period, the deadline and when a report is final."""
    settings, config = context.bot_data.settings, context.bot_data.duties_config
    return MonthlyReportDuty(
        config.monthly_report, send_time=config.engine.send_time, tz=settings.tz
    )


def _draft(context: GridContext) -> service.ReportDraft | None:
    return user_data(context).get(service.ReportDraft)


async def report_command(update: Update, context: GridContext) -> object:
    # A new /report drops the draft of an earlier one, whoever is asking.
    user_data(context).drop(service.ReportDraft)
    return await _open(update, context)


@guarded_step(Capability.ORGANISE_ACTIVITIES)
async def _open(update: Update, context: GridContext, viewer: Viewer, session: AsyncSession) -> int:
    grids = await service.head_grids(session=session, viewer=viewer)
    if not grids:
        await reply(update, texts.REPORT_NOT_GRID_HEAD)
        return ConversationHandler.END
    if len(grids) == 1:
        assert grids[0].id is not None
        return await _begin(update, context, session, viewer, grids[0].id)
    choices = [(grid.id, grid.name) for grid in grids if grid.id is not None]
    await reply(update, texts.REPORT_CHOOSE_GRID, markup(grid_choice_keyboard(choices)))
    return CHOOSE


@guarded_step(Capability.ORGANISE_ACTIVITIES)
async def chose_grid(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> int:
    query = update.callback_query
    assert query is not None
    choice = ReportGridChoice.parse(query.data)
    if choice is None or choice.grid_id not in service.head_grid_ids(viewer):
        await refuse(update, shared_texts.FORBIDDEN_SCOPE)
        return CHOOSE
    await query.answer()
    await query.edit_message_reply_markup(None)
    return await _begin(update, context, session, viewer, choice.grid_id)


async def _begin(
    update: Update, context: GridContext, session: AsyncSession, viewer: Viewer, grid_id: int
) -> int:
    try:
        draft = await service.start_draft(
            session=session, viewer=viewer, grid_id=grid_id, now=now(), duty=monthly_duty(context)
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
        return texts.REPORT_LOCKED.format(
            grid="本网格",
            period=texts.period_label(report.period),
            when=texts.stamp(report.submitted_at, context.bot_data.settings.tz),
        )
    return texts.REPORT_NOT_GRID_HEAD


async def _ask(update: Update, draft: service.ReportDraft) -> None:
    suggestion = draft.suggestions[draft.step]
    await reply(
        update,
        texts.report_step(
            index=draft.step,
            suggestion=esc(suggestion) if suggestion else None,
            existing=draft.existing,
        ),
        markup(step_keyboard(step=draft.step, has_suggestion=bool(suggestion))),
    )


async def _next(update: Update, draft: service.ReportDraft) -> int:
    if not draft.complete:
        await _ask(update, draft)
        return PART
    await reply(
        update,
        texts.report_preview(grid=draft.grid_name, period=draft.period, parts=draft.answers()),
        markup(preview_keyboard()),
    )
    return CONFIRM


async def got_part(update: Update, context: GridContext) -> int:
    assert update.effective_message is not None
    draft = _draft(context)
    if draft is None:
        return ConversationHandler.END
    if draft.complete:
        # All four parts are in (the preview did not go out): show the preview again.
        return await _next(update, draft)
    part, problem = clean_part(update.effective_message.text or "")
    if part is None:
        assert problem is not None
        await reply(update, problem)
        return PART
    draft.parts.append(part)
    return await _next(update, draft)


async def used_suggestion(update: Update, context: GridContext) -> int:
    query = update.callback_query
    assert query is not None
    draft = _draft(context)
    pressed = UseSuggestion.parse(query.data)
    if draft is None or pressed is None or pressed.step != draft.step:
        await refuse(update, shared_texts.STALE_BUTTON)
        return PART
    draft.parts.append(draft.suggestions[draft.step] or texts.REPORT_NOTHING)
    await query.answer()
    await query.edit_message_reply_markup(None)
    return await _next(update, draft)


async def submitted(update: Update, context: GridContext) -> object:
    assert update.callback_query is not None
    draft = _draft(context)
    if (
        SubmitReport.parse(update.callback_query.data) is None
        or draft is None
        or not draft.complete
    ):
        await refuse(update, shared_texts.STALE_BUTTON)
        return ConversationHandler.END
    return await _submit(update, context)


@guarded_step(Capability.ORGANISE_ACTIVITIES)
async def _submit(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> int:
    query = update.callback_query
    assert query is not None
    draft = _draft(context)
    assert draft is not None
    try:
        result = await service.submit_report(
            session=session, viewer=viewer, draft=draft, now=now(), duty=monthly_duty(context)
        )
    except service.ReportError as error:
        result = None
        problem = _problem_text(error, context)
    else:
        await session.commit()
    user_data(context).drop(service.ReportDraft)
    await query.answer()
    if result is None:
        await query.edit_message_reply_markup(None)
        await reply(update, problem)
        return ConversationHandler.END
    # The preview becomes the report as submitted: no （预览）, no buttons.
    await query.edit_message_text(
        texts.report_as_submitted(grid=draft.grid_name, period=draft.period, parts=draft.answers()),
        parse_mode="HTML",
        reply_markup=None,
    )
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


def stale_buttons() -> list[CallbackQueryHandler[GridContext, None]]:
    """A conversation button pressed when its step is not current: refused as stale."""
    return [
        CallbackQueryHandler(stale_button, pattern=family.pattern())
        for family in CONVERSATION_BUTTONS
    ]


def report_conversation() -> ConversationHandler[GridContext]:
    return conversation(
        label="月度汇报",
        restart="发送 /report 重新开始",
        drafts=[service.ReportDraft],
        entry_points=[CommandHandler("report", report_command, filters=PRIVATE)],
        states={
            CHOOSE: [CallbackQueryHandler(chose_grid, pattern=ReportGridChoice.pattern())],
            PART: [
                MessageHandler(PRIVATE_TEXT, got_part),
                CallbackQueryHandler(used_suggestion, pattern=UseSuggestion.pattern()),
            ],
            CONFIRM: [
                CallbackQueryHandler(submitted, pattern=SubmitReport.pattern()),
                CallbackQueryHandler(ENDS.declined, pattern=DiscardReport.pattern()),
            ],
        },
        fallbacks=[
            CommandHandler("cancel", ENDS.cancelled, filters=PRIVATE),
            MessageHandler(PRIVATE_TEXT, press_a_button),
            *stale_buttons(),
        ],
        timeout=CONVERSATION_TIMEOUT,
        timed_out_text=ENDS.timed_out_text,
    )
