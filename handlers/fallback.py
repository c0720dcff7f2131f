"""Anything no other handler took, in a private chat: guide the user instead of staying silent."""

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Update
from telegram.ext import MessageHandler, filters

from handlers.access import visited
from handlers.context import GridApplication, GridContext
from handlers.menus import refresh_menu
from services import texts as shared_texts
from services.access import CommandSpec, Viewer

COMMANDS: tuple[CommandSpec, ...] = ()


@visited
async def unmatched(
    update: Update, context: GridContext, viewer: Viewer | None, _session: AsyncSession
) -> None:
    message = update.effective_message
    if message is None:
        return
    if viewer is None:
        # A former member whose binding ended must lose the role menu they still see.
        await refresh_menu(
            context.bot, chat_id=message.chat_id, specs=context.bot_data.commands, viewer=None
        )
        await message.reply_html(shared_texts.UNBOUND)
        return
    await message.reply_html(shared_texts.UNKNOWN_INPUT)


def register(app: GridApplication) -> None:
    app.add_handler(
        MessageHandler(filters.ChatType.PRIVATE & ~filters.UpdateType.EDITED, unmatched)
    )
