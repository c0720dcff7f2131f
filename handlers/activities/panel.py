"""/activities and the organiser's panel: code, QR, live attendance, [提醒未签到], [登记请假].

Callback data names only ids; every press is re-checked on the server against the viewer
(the organiser, or staff of the activity's grids), since a client can send any data it likes.
"""

from datetime import UTC, datetime

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import InlineKeyboardMarkup, Update

from handlers.access import guarded, parse_pressed, refuse
from handlers.activities.leave import offer_leave
from handlers.context import GridContext
from handlers.conversation import reply
from handlers.edits import unless_unchanged
from handlers.keyboards import markup
from services.access import Capability, Viewer
from services.activities import texts
from services.activities.attendance import managed_activity
from services.activities.buttons import PanelAction, PanelButton
from services.activities.codes import checkin_link, qr_png
from services.activities.panel import (
    joined_text,
    list_activities,
    managed_keyboard,
    panel,
    panel_keyboard,
    panel_text,
)
from services.activities.reminders import RemindOutcome, remind_absentees


@guarded(Capability.USE_BOT)
async def activities_command(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    tz = context.bot_data.settings.tz
    listing = await list_activities(session=session, viewer=viewer, now=datetime.now(UTC))
    if not listing.managed and not listing.joined:
        await reply(update, texts.ACTS_NONE)
        return
    if listing.joined:
        await reply(update, joined_text(listing.joined, tz=tz))
    if listing.managed:
        await reply(
            update, texts.ACTS_HEADING_MANAGED, markup(managed_keyboard(listing.managed, tz=tz))
        )


async def _screen(
    context: GridContext, session: AsyncSession, viewer: Viewer, activity_id: int
) -> tuple[str, InlineKeyboardMarkup | None] | None:
    """The panel's text and buttons as of now; None when the viewer may not manage it."""
    settings = context.bot_data.settings
    found = await panel(
        session=session,
        viewer=viewer,
        activity_id=activity_id,
        now=datetime.now(UTC),
        period_s=settings.checkin_code_seconds,
    )
    if found is None:
        return None
    text = panel_text(
        found,
        tz=settings.tz,
        period_s=settings.checkin_code_seconds,
        radius_m=settings.checkin_radius_m,
    )
    return text, markup(panel_keyboard(found))


@guarded(Capability.VIEW_GRIDS)
async def panel_button(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    query = update.callback_query
    assert query is not None
    pressed = await parse_pressed(update, PanelButton)
    if pressed is None:
        return
    activity_id = pressed.activity_id
    found = await managed_activity(session=session, viewer=viewer, activity_id=activity_id)
    if found is None:
        await refuse(update, texts.PANEL_FORBIDDEN)
        return
    activity, _grids = found
    if pressed.action == PanelAction.QR:
        link = checkin_link(context.bot_data.bot_username, activity)
        await query.answer()
        assert update.effective_message is not None
        await update.effective_message.reply_photo(
            qr_png(link),
            caption=texts.PANEL_QR_CAPTION.format(name=texts.activity_name(activity), link=link),
            parse_mode="HTML",
        )
        return
    if pressed.action == PanelAction.LEAVE:
        await offer_leave(update, viewer, session, activity_id)
        return
    if pressed.action == PanelAction.REMIND:
        await _remind(update, context, viewer, session, activity_id)
        return
    screen = await _screen(context, session, viewer, activity_id)
    assert screen is not None
    await query.answer()
    text, keyboard = screen
    assert update.effective_message is not None
    if pressed.action == PanelAction.OPEN:
        await update.effective_message.reply_html(text, reply_markup=keyboard)
        return
    # Pressed twice within one code period: nothing changed.
    with unless_unchanged():
        await query.edit_message_text(text, parse_mode="HTML", reply_markup=keyboard)


async def _remind(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession, activity_id: int
) -> None:
    query = update.callback_query
    assert query is not None
    result = await remind_absentees(
        session=session,
        viewer=viewer,
        activity_id=activity_id,
        now=datetime.now(UTC),
        tz=context.bot_data.settings.tz,
    )
    await session.commit()
    if result.outcome == RemindOutcome.QUEUED:
        context.bot_data.outbox.wake()
        text = texts.PANEL_REMIND_QUEUED.format(queued=result.queued)
        if result.absent > result.queued:
            text += texts.PANEL_REMIND_UNBOUND.format(count=result.absent - result.queued)
    else:
        text = {
            RemindOutcome.ALREADY: texts.PANEL_REMIND_ALREADY,
            RemindOutcome.NOT_ENDED: texts.PANEL_REMIND_NOT_ENDED,
            RemindOutcome.NOBODY: texts.PANEL_REMIND_NOBODY,
            RemindOutcome.FORBIDDEN: texts.PANEL_FORBIDDEN,
        }[result.outcome]
    await query.answer(text[:200], show_alert=True)
    if result.outcome == RemindOutcome.QUEUED:
        screen = await _screen(context, session, viewer, activity_id)
        if screen is not None:
            await query.edit_message_text(screen[0], parse_mode="HTML", reply_markup=screen[1])
