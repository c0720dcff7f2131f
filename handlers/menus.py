"""Per-chat command menus: each bound user sees only the commands their roles admit."""

from telegram import Bot, BotCommand, BotCommandScopeChat, BotCommandScopeDefault

from services.access import CommandSpec, Viewer


def visible_commands(specs: tuple[CommandSpec, ...], viewer: Viewer | None) -> list[CommandSpec]:
    return [spec for spec in specs if spec.visible_to(viewer)]


async def set_default_menu(bot: Bot, specs: tuple[CommandSpec, ...]) -> None:
    """What an unbound user sees: only the commands open to everyone."""
    commands = [BotCommand(s.command, s.description) for s in visible_commands(specs, None)]
    await bot.set_my_commands(commands, scope=BotCommandScopeDefault())


async def refresh_menu(
    bot: Bot, *, chat_id: int, specs: tuple[CommandSpec, ...], viewer: Viewer | None
) -> None:
    """Set this chat's menu from the viewer's roles; an unbound chat falls back to the default."""
    scope = BotCommandScopeChat(chat_id)
    if viewer is None:
        await bot.delete_my_commands(scope=scope)
        return
    commands = [BotCommand(s.command, s.description) for s in visible_commands(specs, viewer)]
    await bot.set_my_commands(commands, scope=scope)
