"""/help: the commands this person may use, explained in Chinese."""

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Update
from telegram.ext import CommandHandler, filters

from handlers.access import visited
from handlers.context import GridApplication, GridContext
from handlers.menus import refresh_menu, visible_commands
from services import texts as shared_texts
from services.access import CommandSpec, Viewer
from services.profile import texts

COMMANDS = (CommandSpec("help", "使用说明", "查看本说明。", None),)


def render_help(specs: tuple[CommandSpec, ...], viewer: Viewer | None) -> str:
    lines = [texts.HELP_HEADING, ""]
    if viewer is None:
        lines += [shared_texts.UNBOUND, ""]
    lines += [f"/{spec.command} — {spec.help}" for spec in visible_commands(specs, viewer)]
    lines += ["", texts.HELP_FOOTER]
    return "\n".join(lines)


@visited
async def help_command(
    update: Update, context: GridContext, viewer: Viewer | None, _session: AsyncSession
) -> None:
    message = update.effective_message
    if message is None:
        return
    specs = context.bot_data.commands
    # Roles change with imports and partitions; /help is where a user looks, so resync here.
    await refresh_menu(context.bot, chat_id=message.chat_id, specs=specs, viewer=viewer)
    await message.reply_html(render_help(specs, viewer))


def register(app: GridApplication) -> None:
    app.add_handler(CommandHandler("help", help_command, filters=filters.ChatType.PRIVATE))
