"""[登记请假]: the organiser picks a member who did not check in and types the reason."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler

from core.formatting import esc
from handlers.access import guarded_step, parse_pressed, refuse
from handlers.context import GridContext
from handlers.conversation import PRIVATE, PRIVATE_TEXT, conversation, reply, user_data
from handlers.keyboards import markup
from services.access import Capability, Viewer
from services.activities import texts
from services.activities.buttons import LeavePerson
from services.activities.leave import (
    LeaveOutcome,
    candidates_keyboard,
    leave_candidates,
    record_leave,
)
from services.activities.parsing import REASON_MAX, clean_text, too_long_by

REASON = 0


async def offer_leave(
    update: Update, viewer: Viewer, session: AsyncSession, activity_id: int
) -> None:
    """The panel's [登记请假]: the members whose leave can be recorded, one button each."""
    query = update.callback_query
    assert query is not None
    candidates = await leave_candidates(session=session, viewer=viewer, activity_id=activity_id)
    await query.answer()
    if not candidates:
        await reply(update, texts.LEAVE_NOBODY)
        return
    await reply(update, texts.LEAVE_CHOOSE, markup(candidates_keyboard(activity_id, candidates)))


@dataclass(frozen=True)
class PendingLeave:
    activity_id: int
    person_id: int
    name: str


@guarded_step(Capability.VIEW_GRIDS)
async def chose_leave_person(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> int:
    query = update.callback_query
    assert query is not None
    pressed = await parse_pressed(update, LeavePerson)
    if pressed is None:
        return ConversationHandler.END
    candidates = await leave_candidates(
        session=session, viewer=viewer, activity_id=pressed.activity_id
    )
    if candidates is None:
        await refuse(update, texts.PANEL_FORBIDDEN)
        return ConversationHandler.END
    line = next((c for c in candidates if c.person_id == pressed.person_id), None)
    if line is None:
        await refuse(update, texts.LEAVE_NOT_MEMBER)
        return ConversationHandler.END
    user_data(context).keep(PendingLeave(pressed.activity_id, pressed.person_id, line.name))
    await query.answer()
    await reply(update, texts.LEAVE_ASK_REASON.format(name=esc(line.name)))
    return REASON


@guarded_step(Capability.VIEW_GRIDS)
async def got_leave_reason(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> int:
    assert update.effective_message is not None
    pending = user_data(context).get(PendingLeave)
    if pending is None:
        return ConversationHandler.END
    typed = update.effective_message.text or ""
    reason = clean_text(typed, REASON_MAX)
    if reason is None:
        over = too_long_by(typed, REASON_MAX)
        await reply(
            update,
            texts.LEAVE_REASON_TOO_LONG.format(length=REASON_MAX + over, over=over)
            if over
            else texts.LEAVE_REASON_BAD,
        )
        return REASON
    result = await record_leave(
        session=session,
        viewer=viewer,
        activity_id=pending.activity_id,
        person_id=pending.person_id,
        reason=reason,
        now=datetime.now(UTC),
    )
    await session.commit()
    user_data(context).drop(PendingLeave)
    text = {
        LeaveOutcome.RECORDED: texts.LEAVE_RECORDED.format(
            name=esc(pending.name), reason=esc(reason)
        ),
        LeaveOutcome.CHECKED_IN: texts.LEAVE_CHECKED_IN,
        LeaveOutcome.NOT_MEMBER: texts.LEAVE_NOT_MEMBER,
        LeaveOutcome.FORBIDDEN: texts.PANEL_FORBIDDEN,
    }[result.outcome]
    await reply(update, text)
    return ConversationHandler.END


async def cancel_leave(update: Update, context: GridContext) -> int:
    user_data(context).drop(PendingLeave)
    await reply(update, texts.LEAVE_CANCELLED)
    return ConversationHandler.END


def conversation_handler(timeout: timedelta) -> ConversationHandler[GridContext]:
    return conversation(
        label="请假登记",
        restart="在签到面板重新点击［登记请假］",
        drafts=[PendingLeave],
        entry_points=[CallbackQueryHandler(chose_leave_person, pattern=LeavePerson.pattern())],
        states={REASON: [MessageHandler(PRIVATE_TEXT, got_leave_reason)]},
        fallbacks=[CommandHandler("cancel", cancel_leave, filters=PRIVATE)],
        timeout=timeout,
    )
