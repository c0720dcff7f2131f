"""The statistician's buttons under a chase: [已报送] / [已修改] per item ([需要帮助] opens /ask:
handlers/questions/from_chase.py)."""

import logging
from datetime import UTC, datetime

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Update

from handlers.access import guarded, parse_pressed, refuse
from handlers.context import GridContext
from handlers.edits import unless_unchanged
from handlers.keyboards import markup
from services.access import Capability, Viewer
from services.chase import texts
from services.chase.buttons import ChaseDone, chase_keyboard
from services.chase.receipts import (
    REFUSALS,
    PressOutcome,
    declare_done,
    message_items,
)

log = logging.getLogger(__name__)


def _message_item_ids(update: Update) -> list[int]:
    """The items of the pressed chase message, from its own keyboard (ids only; each is
    loaded from the database again)."""
    query = update.callback_query
    message = query.message if query is not None else None
    keyboard = getattr(message, "reply_markup", None)
    ids: list[int] = []
    for row in keyboard.inline_keyboard if keyboard is not None else ():
        for button in row:
            done = ChaseDone.parse(button.callback_data)
            if done is not None and done.item_id not in ids:
                ids.append(done.item_id)
    return ids


@guarded(Capability.USE_BOT)
async def done_pressed(
    update: Update, _context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    query = update.callback_query
    assert query is not None
    pressed = await parse_pressed(update, ChaseDone)
    if pressed is None:
        return
    outcome = await declare_done(
        session=session,
        item_id=pressed.item_id,
        kind=pressed.kind,
        viewer=viewer,
        now=datetime.now(UTC),
    )
    if outcome.outcome in REFUSALS:
        log.info("chase item %s refused to person %s", pressed.item_id, viewer.person_id)
        await refuse(update, REFUSALS[outcome.outcome])
        return
    await session.commit()
    assert outcome.item is not None
    if outcome.outcome is PressOutcome.ALREADY:
        await query.answer(
            texts.DONE_ALREADY.format(state=outcome.item.declared or outcome.item.state.value),
            show_alert=True,
        )
        return
    ids = _message_item_ids(update)
    if ids:
        items = await message_items(session=session, item_ids=ids)
        with unless_unchanged():
            await query.edit_message_reply_markup(reply_markup=markup(chase_keyboard(items)))
    await query.answer(
        texts.DONE_RECORDED.format(
            name=outcome.name, form=outcome.item.form, declared=outcome.item.declared
        )[:200]
    )
