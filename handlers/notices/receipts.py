"""[已阅] under a notice or its reminder: the press records the presser's own receipt."""

import logging
from datetime import UTC, datetime

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Update

from handlers.access import guarded, parse_pressed, refuse
from handlers.context import GridContext
from handlers.edits import unless_unchanged
from handlers.keyboards import markup
from services.access import Capability, Viewer
from services.notices import texts
from services.notices.buttons import NoticeRead, read_keyboard
from services.notices.receipts import ReceiptOutcome, confirm_receipt

log = logging.getLogger(__name__)


@guarded(Capability.USE_BOT)
async def read_button(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    query = update.callback_query
    assert query is not None
    pressed = await parse_pressed(update, NoticeRead)
    if pressed is None:
        return
    receipt = await confirm_receipt(
        session=session,
        notice_id=pressed.notice_id,
        person_id=viewer.person_id,
        now=datetime.now(UTC),
    )
    if receipt.outcome == ReceiptOutcome.NOT_RECIPIENT:
        log.info("receipt for notice %s refused to person %s", pressed.notice_id, viewer.person_id)
        await refuse(update, texts.NOTICE_NOT_RECIPIENT)
        return
    await session.commit()
    assert receipt.confirmed_at is not None
    when = texts.stamp(receipt.confirmed_at, context.bot_data.settings.tz)
    # Pressed again on a message that already shows the receipt.
    with unless_unchanged():
        await query.edit_message_reply_markup(
            reply_markup=markup(read_keyboard(pressed.notice_id, when=when))
        )
    if receipt.outcome == ReceiptOutcome.ALREADY:
        await query.answer(texts.NOTICE_ALREADY_READ)
    else:
        await query.answer()
