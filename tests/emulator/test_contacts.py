"""Reply keyboards with request_contact, contact messages, and the size limit of getFile."""

from __future__ import annotations

import asyncio

import pytest
from telegram import KeyboardButton, Message, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes, MessageHandler, filters

from emulator import BotApiEmulator, EmulatorError
from emulator.limits import MAX_DOWNLOAD_BYTES
from tests.emulator.echo_bot import ALICE, AnyApp

BOB = 202


def collect_contacts(app: AnyApp) -> asyncio.Queue[Message]:
    received: asyncio.Queue[Message] = asyncio.Queue()

    async def on_contact(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        await received.put(update.message)

    app.add_handler(MessageHandler(filters.CONTACT, on_contact))
    return received


async def test_request_contact_button_shares_own_number(app: AnyApp, emu: BotApiEmulator) -> None:
    received = collect_contacts(app)
    emu.user(ALICE, phone_number="+86 138 1234 5678")
    share = KeyboardButton("📱 分享手机号", request_contact=True)
    await app.bot.send_message(
        ALICE, "请分享手机号", reply_markup=ReplyKeyboardMarkup([[share]], one_time_keyboard=True)
    )
    keyboard = emu.reply_keyboard(ALICE)
    assert keyboard is not None
    assert keyboard["keyboard"][0][0] == {"text": "📱 分享手机号", "request_contact": True}
    # The message itself carries no inline keyboard.
    assert emu.sent_messages(ALICE)[-1].buttons == []

    with pytest.raises(EmulatorError, match="no reply button"):
        await emu.press_reply_button(ALICE, "别的")
    await emu.press_reply_button(ALICE, "📱 分享手机号")
    message = await asyncio.wait_for(received.get(), 5)
    assert message.contact is not None
    assert message.contact.user_id == ALICE
    assert message.contact.phone_number == "+86 138 1234 5678"
    assert message.contact.first_name == "Alice"
    assert message.forward_origin is None

    await app.bot.send_message(ALICE, "好的", reply_markup=ReplyKeyboardRemove())
    assert emu.reply_keyboard(ALICE) is None


async def test_other_and_forwarded_contacts(app: AnyApp, emu: BotApiEmulator) -> None:
    received = collect_contacts(app)
    await emu.send_contact(ALICE, "13900000007", own=False, contact_user_id=BOB, first_name="周")
    other = await asyncio.wait_for(received.get(), 5)
    assert other.contact is not None
    assert other.contact.user_id == BOB
    assert other.contact.first_name == "周"

    await emu.send_contact(ALICE, "13900000008", own=False)
    offline = await asyncio.wait_for(received.get(), 5)
    assert offline.contact is not None
    assert offline.contact.user_id is None

    await emu.send_contact(ALICE, "13900000009", own=False, contact_user_id=BOB, forwarded_from=BOB)
    forwarded = await asyncio.wait_for(received.get(), 5)
    assert forwarded.forward_origin is not None
    assert forwarded.forward_origin.sender_user is not None
    assert forwarded.forward_origin.sender_user.id == BOB

    with pytest.raises(EmulatorError, match="phone_number"):
        await emu.send_contact(ALICE)


async def test_reply_keyboard_buttons_need_text(app: AnyApp, emu: BotApiEmulator) -> None:
    with pytest.raises(BadRequest, match=r"(?i)text is empty"):
        await app.bot.send_message(
            ALICE, "x", reply_markup=ReplyKeyboardMarkup([[KeyboardButton("")]])
        )
    assert emu.reply_keyboard(ALICE) is None


async def test_get_file_refuses_user_files_over_20_mb(app: AnyApp, emu: BotApiEmulator) -> None:
    small = await emu.send_document(ALICE, "ok.xlsx", b"x" * MAX_DOWNLOAD_BYTES)
    fetched = await app.bot.get_file(small["document"]["file_id"])
    assert fetched.file_size == MAX_DOWNLOAD_BYTES

    big = await emu.send_document(ALICE, "big.xlsx", b"x" * (MAX_DOWNLOAD_BYTES + 1))
    # The message arrives with the real size, so a bot can refuse before downloading.
    assert big["document"]["file_size"] == MAX_DOWNLOAD_BYTES + 1
    with pytest.raises(BadRequest, match=r"(?i)file is too big"):
        await app.bot.get_file(big["document"]["file_id"])
