"""A bare python-telegram-bot echo bot: the yardstick bench/interactive.py measures gridbot by.

    GRIDBOT_TOKEN=... GRIDBOT_API_BASE_URL=http://127.0.0.1:PORT python bench/echo_bot.py

PTB's defaults (one update at a time, no rate limiter, no database), answering the steps the
benchmark's users take with the least work: a text is echoed, /ask's echo carries the button
the users press next ([仍需提问], callback data "ask:file"), and a press is answered and
followed by a message.
"""

import os

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters


async def echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is None or message.text is None:
        return
    if message.text.startswith("/checkin"):
        await message.reply_text(f"签到成功 {message.text}")
    elif message.text.startswith("/ask"):
        button = InlineKeyboardButton("仍需提问", callback_data="ask:file")
        await message.reply_text(message.text, reply_markup=InlineKeyboardMarkup([[button]]))
    else:
        await message.reply_text(message.text)


async def pressed(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None or query.message is None:
        return
    await query.answer()
    await query.get_bot().send_message(query.message.chat.id, "已提交")


def main() -> None:
    base = os.environ["GRIDBOT_API_BASE_URL"]
    app = (
        Application.builder()
        .token(os.environ["GRIDBOT_TOKEN"])
        .base_url(f"{base}/bot")
        .base_file_url(f"{base}/file/bot")
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.add_handler(CallbackQueryHandler(pressed))
    app.run_polling(allowed_updates=["message", "callback_query"])


if __name__ == "__main__":
    main()
