"""The sender's side: /notices lists their recent notices, the panel shows who has read one,
[提醒未读] reminds the others. Only the sender or an admin may open a notice's panel."""

from datetime import UTC, datetime

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Update

from core.formatting import clock
from handlers.access import guarded, parse_pressed, refuse
from handlers.context import GridContext
from handlers.conversation import reply
from handlers.edits import unless_unchanged
from handlers.keyboards import markup
from services.access import Capability, Viewer
from services.notices import texts
from services.notices.buttons import NoticePanel, NoticeRemind, panel_keyboard
from services.notices.panel import followed_notice, recent_notices, render_list, render_panel
from services.notices.reminders import remind_unread


def _now() -> datetime:
    return datetime.now(UTC)


@guarded(Capability.SEND_NOTICES)
async def notices_command(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    recent = await recent_notices(session=session, sender_id=viewer.person_id)
    if not recent:
        await reply(update, texts.NOTICE_NONE_SENT)
        return
    text, keyboard = render_list(recent, tz=context.bot_data.settings.tz)
    await reply(update, text, markup(keyboard))


@guarded(Capability.SEND_NOTICES)
async def panel_button(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    query = update.callback_query
    assert query is not None
    pressed = await parse_pressed(update, NoticePanel)
    if pressed is None:
        return
    notice = await followed_notice(session=session, viewer=viewer, notice_id=pressed.notice_id)
    if notice is None or notice.id is None:
        await refuse(update, texts.NOTICE_NOT_SENDER)
        return
    panel = await render_panel(
        session=session, notice=notice, now=_now(), tz=context.bot_data.settings.tz
    )
    await query.answer()
    # Refreshed twice within the same second with nothing new.
    with unless_unchanged():
        await query.edit_message_text(
            panel, parse_mode="HTML", reply_markup=markup(panel_keyboard(notice.id))
        )


@guarded(Capability.SEND_NOTICES)
async def remind_button(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    query = update.callback_query
    assert query is not None
    pressed = await parse_pressed(update, NoticeRemind)
    if pressed is None:
        return
    notice = await followed_notice(session=session, viewer=viewer, notice_id=pressed.notice_id)
    if notice is None:
        await refuse(update, texts.NOTICE_NOT_SENDER)
        return
    settings = context.bot_data.settings
    result = await remind_unread(session=session, notice=notice, now=_now(), settings=settings)
    await session.commit()
    if result.next_at is not None:
        await refuse(
            update,
            texts.notice_remind_too_soon(
                when=clock(result.next_at, settings.tz),
                minutes=settings.notice_manual_remind_minutes,
            ),
        )
        return
    if not result.reminded:
        await refuse(update, texts.NOTICE_REMIND_NOBODY)
        return
    context.bot_data.outbox.wake()
    await query.answer(texts.notice_reminded(result.reminded), show_alert=True)
