"""/chase [2026-11]: the board of the viewer's scope, and its [再提醒] buttons."""

from datetime import UTC, datetime

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Update

from handlers.access import guarded, parse_pressed, refuse
from handlers.context import GridContext
from handlers.keyboards import markup
from handlers.limits import over_limit
from services.access import Capability, Viewer
from services.chase import texts
from services.chase.board import RemindOutcome, chase_board, remind_again
from services.chase.buttons import ChaseLedger, ChaseRemind
from services.chase.cells import parse_period
from services.chase.ledger import chase_ledger
from services.chase.messages import period_label
from services.limits import Action
from services.outbox.splitting import split_html
from services.roster_import.cells import Invalid


@guarded(Capability.VIEW_GRIDS)
async def chase_command(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    message = update.effective_message
    assert message is not None
    period = None
    if context.args:
        try:
            period = parse_period(" ".join(context.args))
        except Invalid as exc:
            await message.reply_html(str(exc))
            return
    board = await chase_board(
        session=session, viewer=viewer, period=period, tz=context.bot_data.settings.tz
    )
    parts = split_html(board.text)
    for part in parts[:-1]:
        await message.reply_html(part)
    await message.reply_html(parts[-1], reply_markup=markup(board.buttons))


REFUSALS = {
    RemindOutcome.TOO_SOON: texts.REMIND_TOO_SOON,
    RemindOutcome.NOTHING: texts.REMIND_NOTHING,
    RemindOutcome.UNREACHABLE: texts.REMIND_UNREACHABLE,
    RemindOutcome.NOT_IN_SCOPE: texts.NOT_IN_SCOPE,
}


@guarded(Capability.VIEW_GRIDS)
async def remind_pressed(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    query = update.callback_query
    assert query is not None
    pressed = await parse_pressed(update, ChaseRemind)
    if pressed is None:
        return
    outcome, name = await remind_again(
        session=session,
        viewer=viewer,
        object_id=pressed.object_id,
        period=pressed.period,
        now=datetime.now(UTC),
        tz=context.bot_data.settings.tz,
    )
    if outcome in REFUSALS:
        await session.rollback()
        await refuse(update, REFUSALS[outcome])
        return
    await session.commit()
    context.bot_data.outbox.wake()
    await query.answer(texts.REMINDED.format(name=name)[:200])


@guarded(Capability.VIEW_GRIDS)
async def ledger_pressed(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    """[导出催报台账]: the period's ledger of the viewer's scope, as a document."""
    query = update.callback_query
    assert query is not None
    pressed = await parse_pressed(update, ChaseLedger)
    if pressed is None:
        return
    if await over_limit(update, context, viewer, session, Action.EXPORT):
        return
    data, rows = await chase_ledger(
        session=session, period=pressed.period, viewer=viewer, tz=context.bot_data.settings.tz
    )
    await query.answer()
    assert update.effective_chat is not None
    await context.bot.send_document(
        update.effective_chat.id,
        document=data,
        filename=texts.LEDGER_FILE.format(period=pressed.period),
        caption=texts.LEDGER_CAPTION.format(period=period_label(pressed.period), rows=rows),
    )
