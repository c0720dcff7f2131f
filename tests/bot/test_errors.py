"""The one error handler: the user gets a short Chinese apology, the log gets the details."""

import logging

import pytest
from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from emulator import BotApiEmulator
from handlers.context import GridApplication, GridContext
from services import texts as shared_texts
from tests.handlers.chat import command


async def explode(_update: Update, _context: GridContext) -> None:
    raise RuntimeError("secret internal detail")


async def test_failing_handler_apologises_without_leaking(
    bot_app: GridApplication, emulator: BotApiEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    bot_app.add_handler(CommandHandler("boom", explode), group=-1)
    bot_app.add_handler(CallbackQueryHandler(explode, pattern="^boom$"), group=-1)
    emulator.user(9001, first_name="测试")
    with caplog.at_level(logging.ERROR, logger="bot.errors"):
        reply = await command(emulator, 9001, "/boom")
        callback_id = await emulator.press_button(9001, reply.message_id, "boom", forge=True)
        answer = await emulator.wait_for_callback_answer(callback_id)
    assert reply.text == shared_texts.INTERNAL_ERROR
    assert "secret" not in (reply.text or "")
    assert answer.show_alert
    assert answer.text == shared_texts.INTERNAL_ERROR
    logged = [r for r in caplog.records if r.name == "bot.errors"]
    assert len(logged) == 2
    assert "user 9001" in logged[0].getMessage()
    assert logged[0].exc_info is not None
    assert "secret internal detail" in str(logged[0].exc_info[1])
