"""Anything no other handler took, in a private chat: guide the user instead of staying silent."""

from telegram import Update
from telegram.ext import MessageHandler, filters

from handlers.context import GridApplication, GridContext
from handlers.menus import refresh_menu
from services import texts as shared_texts
from services.access import CommandSpec
from services.onboarding import load_viewer

COMMANDS: tuple[CommandSpec, ...] = ()


async def unmatched(update: Update, context: GridContext) -> None:
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    async with context.bot_data.sessions() as session:
        viewer = await load_viewer(session=session, telegram_user_id=user.id)
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
