"""/tip: a short statistics-law tip (法治小贴士) with its citation."""

import random

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from handlers.access import guarded, parse_pressed
from handlers.context import GridApplication, GridContext
from handlers.keyboards import markup
from services.access import Capability, CommandSpec, Viewer
from services.answers.buttons import TipButton
from services.answers.render import render_tip, tip_keyboard

COMMANDS = (
    CommandSpec(
        "tip", "法治小贴士", "随机看一条统计法治小贴士（附法律依据）。", Capability.USE_BOT
    ),
)


async def send_tip(update: Update, context: GridContext) -> None:
    assert update.effective_message is not None
    tip = random.choice(context.bot_data.knowledge.tips())
    await update.effective_message.reply_html(render_tip(tip), reply_markup=markup(tip_keyboard()))


@guarded(Capability.USE_BOT)
async def tip_command(
    update: Update, context: GridContext, _viewer: Viewer, _session: AsyncSession
) -> None:
    await send_tip(update, context)


@guarded(Capability.USE_BOT)
async def next_tip(
    update: Update, context: GridContext, _viewer: Viewer, _session: AsyncSession
) -> None:
    query = update.callback_query
    assert query is not None
    if await parse_pressed(update, TipButton) is None:
        return
    await query.answer()
    await send_tip(update, context)


def register(app: GridApplication) -> None:
    app.add_handler(CommandHandler("tip", tip_command, filters=filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(next_tip, pattern=TipButton.pattern()))
