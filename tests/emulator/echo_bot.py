"""A tiny PTB bot the emulator tests drive (/start and one button handler), and its data."""

from __future__ import annotations

import html
import struct
import zlib
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.ext import Application, ContextTypes

TOKEN = "123:ABC"
BOT_USERNAME = "gridbot_test_bot"
ALICE = 1001

AnyApp = Application[Any, Any, Any, Any, Any, Any]


def keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("确认 ✅", callback_data="confirm:1"),
                InlineKeyboardButton("取消", callback_data="cancel"),
            ]
        ]
    )


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    context.bot_data.setdefault("start_args", []).append(list(context.args or []))
    message = update.effective_message
    user = update.effective_user
    assert message is not None
    assert user is not None
    await message.reply_html(
        f"<b>欢迎</b>, {html.escape(user.first_name)} &amp; co", reply_markup=keyboard()
    )


async def on_button(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer(text=f"got {query.data}")
    if isinstance(query.message, Message):
        await query.edit_message_text(
            f"<i>已选择</i> {html.escape(query.data or '')}", parse_mode=ParseMode.HTML
        )


def png(width: int, height: int) -> bytes:
    """A valid 1-bit grayscale PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\x00" + b"\x00" * ((width + 7) // 8) for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
