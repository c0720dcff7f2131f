"""Telegram's limits as the emulator enforces them."""

from __future__ import annotations

import pytest
from telegram.constants import ParseMode
from telegram.error import BadRequest

from emulator import BotApiEmulator
from tests.emulator.echo_bot import ALICE, AnyApp


async def test_text_length_counts_utf16(app: AnyApp, emu: BotApiEmulator) -> None:
    await app.bot.send_message(ALICE, "x" * 4096)
    with pytest.raises(BadRequest, match="too long"):
        await app.bot.send_message(ALICE, "x" * 4097)
    # 2049 emoji are 4098 UTF-16 code units.
    with pytest.raises(BadRequest, match="too long"):
        await app.bot.send_message(ALICE, "😀" * 2049)
    # Markup does not count, only the resulting text.
    await app.bot.send_message(ALICE, "<b>" + "y" * 4096 + "</b>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="empty"):
        await app.bot.send_message(ALICE, "<b></b>", parse_mode=ParseMode.HTML)
    assert len(emu.sent_messages(ALICE)) == 2
