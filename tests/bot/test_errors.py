"""The one error handler: the user gets a short Chinese apology, the log gets the details."""

import logging
from collections.abc import Awaitable, Callable

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


async def send_too_long(update: Update, _context: GridContext) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text("很长的回复")


async def answer_then_explode(update: Update, _context: GridContext) -> None:
    assert update.callback_query is not None
    await update.callback_query.answer()
    raise RuntimeError("secret internal detail")


async def answer_then_edit(update: Update, _context: GridContext) -> None:
    assert update.callback_query is not None
    await update.callback_query.answer()
    await update.callback_query.edit_message_text("<b>改好了</b>", parse_mode="HTML")


async def test_a_bad_request_gets_a_chinese_reply(
    bot_app: GridApplication, emulator: BotApiEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    # BadRequest is a NetworkError in PTB: it must not be taken for an unreachable Telegram.
    bot_app.add_handler(CommandHandler("toolong", send_too_long), group=-1)
    emulator.user(9002, first_name="测试")
    emulator.fail_next("sendMessage", 400, description="Bad Request: message is too long")
    with caplog.at_level(logging.ERROR, logger="bot.errors"):
        reply = await command(emulator, 9002, "/toolong")
    assert reply.text == shared_texts.INTERNAL_ERROR
    [logged] = [r for r in caplog.records if r.name == "bot.errors"]
    assert "/toolong" in logged.getMessage()


@pytest.mark.parametrize(
    ("handler", "injected"),
    [
        (answer_then_explode, None),
        (answer_then_edit, "Bad Request: can't parse entities: unsupported start tag"),
    ],
)
async def test_a_failed_press_after_its_answer_gets_a_new_chinese_message(
    bot_app: GridApplication,
    emulator: BotApiEmulator,
    caplog: pytest.LogCaptureFixture,
    handler: Callable[[Update, GridContext], Awaitable[None]],
    injected: str | None,
) -> None:
    bot_app.add_handler(CallbackQueryHandler(handler, pattern="^press$"), group=-1)
    emulator.user(9003, first_name="测试")
    await emulator.send_text(9003, "你好")
    shown = await emulator.wait_for_message(9003)
    if injected is not None:
        emulator.fail_next("editMessageText", 400, description=injected)
    mark = emulator.checkpoint()
    with caplog.at_level(logging.ERROR, logger="bot.errors"):
        callback_id = await emulator.press_button(9003, shown.message_id, "press", forge=True)
        answer = await emulator.wait_for_callback_answer(callback_id)
        apology = await emulator.wait_for_message(9003, after=mark)
    assert not answer.text  # the handler's own, silent answer
    assert apology.text == shared_texts.INTERNAL_ERROR
    assert apology.message_id != shown.message_id
    [logged] = [r for r in caplog.records if r.name == "bot.errors"]
    assert "press" in logged.getMessage()
