"""/tip: a short statistics-law tip (法治小贴士) with its citation."""

import random

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from core.formatting import esc
from handlers.access import guarded
from handlers.context import GridApplication, GridContext
from knowledge.base import Tip
from services.access import Capability, CommandSpec, Viewer
from services.answers import texts

COMMANDS = (
    CommandSpec(
        "tip", "法治小贴士", "随机看一条统计法治小贴士（附法律依据）。", Capability.USE_BOT
    ),
)

NEXT_CALLBACK = "tip:next"


def render_tip(tip: Tip) -> str:
    basis = "、".join(ref.label for ref in tip.refs)
    return f"{texts.TIP_HEADING}\n\n{esc(tip.text)}\n\n<b>{texts.FAQ_BASIS}</b>：{esc(basis)}"


async def send_tip(update: Update, context: GridContext) -> None:
    assert update.effective_message is not None
    tip = random.choice(context.bot_data.knowledge.tips())
    await update.effective_message.reply_html(
        render_tip(tip),
        reply_markup=InlineKeyboardMarkup(
            [[InlineKeyboardButton(texts.TIP_NEXT, callback_data=NEXT_CALLBACK)]]
        ),
    )


@guarded(Capability.USE_BOT)
async def tip_command(
    update: Update, context: GridContext, _viewer: Viewer, _session: AsyncSession
) -> None:
    await send_tip(update, context)


@guarded(Capability.USE_BOT)
async def next_tip(
    update: Update, context: GridContext, _viewer: Viewer, _session: AsyncSession
) -> None:
    assert update.callback_query is not None
    await update.callback_query.answer()
    await send_tip(update, context)


def register(app: GridApplication) -> None:
    app.add_handler(CommandHandler("tip", tip_command, filters=filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(next_tip, pattern=rf"^{NEXT_CALLBACK}$"))
