"""The monthly digest's buttons: [查看 网格名] shows a report, [已听取汇报] records the town's
hearing. Callback data names only ids; every press is checked again against the viewer (a
client can send any data it likes)."""

import logging

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler

from core.formatting import esc
from handlers.access import guarded, parse_pressed, refuse
from handlers.context import GridApplication, GridContext
from handlers.conversation import reply
from handlers.edits import unless_unchanged
from handlers.reports.compose import monthly_duty, now
from services.access import Capability, Viewer
from services.reports import submission as service
from services.reports import texts
from services.reports.buttons import ReportHearing, ReportView

log = logging.getLogger(__name__)


@guarded(Capability.VIEW_GRIDS)
async def view_button(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    query = update.callback_query
    assert query is not None
    pressed = ReportView.parse(query.data)
    text = (
        await service.readable_report(
            session=session,
            viewer=viewer,
            report_id=pressed.report_id,
            tz=context.bot_data.settings.tz,
        )
        if pressed is not None
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
    pressed = await parse_pressed(update, ReportHearing)
    if pressed is None:
        return
    hearing = await service.confirm_hearing(
        session=session,
        viewer=viewer,
        town_id=pressed.town_id,
        period=pressed.period,
        now=now(),
        duty=monthly_duty(context),
    )
    if hearing.outcome == service.HearingOutcome.FORBIDDEN:
        log.info("hearing %r refused to person %s", query.data, viewer.person_id)
        await refuse(update, texts.REPORT_HEARING_FORBIDDEN)
        return
    if hearing.outcome == service.HearingOutcome.TOO_EARLY:
        await refuse(update, texts.REPORT_HEARING_TOO_EARLY)
        return
    if hearing.outcome == service.HearingOutcome.NO_DIGEST:
        log.info("hearing %r without a digest, person %s", query.data, viewer.person_id)
        await refuse(update, texts.REPORT_HEARING_NO_DIGEST)
        return
    if hearing.outcome == service.HearingOutcome.TOO_LATE:
        days = monthly_duty(context).config.hearing_window_days
        await refuse(update, texts.REPORT_HEARING_TOO_LATE.format(days=days))
        return
    await session.commit()
    assert hearing.at is not None
    when = texts.stamp(hearing.at, context.bot_data.settings.tz)
    label = texts.period_label(pressed.period)
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
    # Pressed again on a digest that already shows the receipt.
    with unless_unchanged():
        await query.edit_message_reply_markup(InlineKeyboardMarkup(rows))


def register(app: GridApplication) -> None:
    app.add_handler(CallbackQueryHandler(view_button, pattern=ReportView.pattern()))
    app.add_handler(CallbackQueryHandler(hear_button, pattern=ReportHearing.pattern()))
