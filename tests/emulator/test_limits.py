"""Telegram's limits as the emulator enforces them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from telegram import InputFile
from telegram.constants import ParseMode
from telegram.error import BadRequest

from emulator import BotApiEmulator
from emulator.limits import MAX_CALLBACK_DATA_BYTES, checked_reply_markup
from emulator.wire import ApiError
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


@given(st.text(min_size=1))
def test_callback_data_is_limited_to_64_utf8_bytes(data: str) -> None:
    markup = {"inline_keyboard": [[{"text": "按钮", "callback_data": data}]]}
    if len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES:
        assert checked_reply_markup(markup) == markup
    else:
        with pytest.raises(ApiError, match="BUTTON_DATA_INVALID"):
            checked_reply_markup(markup)


@pytest.mark.parametrize(
    ("markup", "inline_only", "refusal"),
    [
        ([], False, "can't parse reply keyboard markup"),
        ({"inline_keyboard": [[{"text": "纯文字"}]]}, False, "text buttons are unallowed"),
        ({"inline_keyboard": [[{"text": "", "callback_data": "x"}]]}, False, "Text is empty"),
        ({"inline_keyboard": [[{"text": "空", "callback_data": ""}]]}, False, "DATA_INVALID"),
        ({"keyboard": [[{"text": "回复键盘"}]]}, True, "inline keyboard expected"),
        ({"selective": True}, False, "can't parse reply keyboard markup"),
    ],
)
def test_reply_markup_refusals(markup: object, inline_only: bool, refusal: str) -> None:
    with pytest.raises(ApiError, match=refusal) as refused:
        checked_reply_markup(markup, inline_only=inline_only)
    assert refused.value.status == 400


async def test_caption_limit_counts_utf16(app: AnyApp) -> None:
    await app.bot.send_document(ALICE, InputFile(b"x", filename="a.txt"), caption="字" * 1024)
    with pytest.raises(BadRequest, match="caption is too long"):
        await app.bot.send_document(ALICE, InputFile(b"x", filename="b.txt"), caption="字" * 1025)
