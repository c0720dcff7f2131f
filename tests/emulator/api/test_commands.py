"""setMyCommands, getMyCommands, deleteMyCommands per scope and language."""

from __future__ import annotations

import pytest
from telegram import BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeChat
from telegram.error import BadRequest

from emulator import BotApiEmulator
from tests.emulator.echo_bot import ALICE, AnyApp


async def test_commands_per_scope(app: AnyApp, emu: BotApiEmulator) -> None:
    private = [BotCommand("start", "开始"), BotCommand("help", "帮助")]
    admin = [*private, BotCommand("audit", "审核")]
    await app.bot.set_my_commands(private, scope=BotCommandScopeAllPrivateChats())
    await app.bot.set_my_commands(admin, scope=BotCommandScopeChat(ALICE))
    await app.bot.set_my_commands(admin[:1], scope=BotCommandScopeChat(ALICE), language_code="en")

    assert await app.bot.get_my_commands(scope=BotCommandScopeChat(ALICE)) == tuple(admin)
    assert await app.bot.get_my_commands(scope=BotCommandScopeAllPrivateChats()) == tuple(private)
    assert await app.bot.get_my_commands() == ()
    assert emu.commands({"type": "chat", "chat_id": ALICE}, "en") == [
        {"command": "start", "description": "开始"}
    ]
    scopes = [params.get("scope") for method, params in emu.calls if method == "setMyCommands"]
    assert scopes[0] == {"type": "all_private_chats"}
    assert scopes[1] == {"type": "chat", "chat_id": ALICE}

    await app.bot.delete_my_commands(scope=BotCommandScopeChat(ALICE))
    assert await app.bot.get_my_commands(scope=BotCommandScopeChat(ALICE)) == ()
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await app.bot.set_my_commands(private, scope=BotCommandScopeChat(999))
    with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
        await app.bot.set_my_commands([BotCommand("Bad-Name", "x")])
