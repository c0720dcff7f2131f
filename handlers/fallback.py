"""Anything no other handler took, in a private chat: guide the user instead of staying silent."""

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Update
from telegram.ext import MessageHandler, filters

from core.formatting import esc
from handlers.access import visited
from handlers.context import GridApplication, GridContext
from handlers.menus import refresh_menu, visible_commands
from handlers.phone_binding import ask_for_phone
from services import texts as shared_texts
from services.access import CommandSpec, Viewer
from services.suggest import nearest_command, typed_command

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
        if context.bot_data.settings.phone_binding:
            await ask_for_phone(message)
        else:
            await message.reply_html(shared_texts.UNBOUND)
        return
    typed = typed_command(message.text or "")
    if typed is None:
        await message.reply_html(shared_texts.UNKNOWN_INPUT)
        return
    if typed == "cancel":
        # Every guided conversation takes /cancel itself: reaching here, none is open.
        await message.reply_html(shared_texts.NOTHING_TO_CANCEL)
        return
    spec = nearest_command(typed, visible_commands(context.bot_data.commands, viewer))
    if spec is None:
        await message.reply_html(shared_texts.UNKNOWN_COMMAND_NO_MATCH.format(typed=esc(typed)))
        return
    await message.reply_html(
        shared_texts.UNKNOWN_COMMAND.format(
            typed=esc(typed), command=spec.command, description=esc(spec.description)
        )
    )


def register(app: GridApplication) -> None:
    app.add_handler(
        MessageHandler(filters.ChatType.PRIVATE & ~filters.UpdateType.EDITED, unmatched)
    )
