"""editMessage*, sendLocation beside them, and deleteMessage with its 48-hour window."""

from __future__ import annotations

import pytest
from telegram import Message
from telegram.error import BadRequest

from emulator import BotApiEmulator
from tests.emulator.echo_bot import ALICE, AnyApp, keyboard


async def test_edit_and_delete(app: AnyApp, emu: BotApiEmulator) -> None:
    message = await app.bot.send_message(ALICE, "one", reply_markup=keyboard())
    mark = emu.checkpoint()
    edited = await app.bot.edit_message_text(
        "two", ALICE, message.message_id, reply_markup=keyboard()
    )
    assert isinstance(edited, Message)
    assert edited.edit_date is not None
    state = await emu.wait_for_message(ALICE, after=mark)
    assert (state.text, state.edited, len(state.buttons)) == ("two", True, 2)

    with pytest.raises(BadRequest, match="not modified"):
        await app.bot.edit_message_text("two", ALICE, message.message_id, reply_markup=keyboard())
    await app.bot.edit_message_reply_markup(ALICE, message.message_id, reply_markup=None)
    assert emu.sent_messages(ALICE)[0].reply_markup is None

    location = await app.bot.send_location(ALICE, latitude=31.23, longitude=121.47)
    assert location.location is not None
    assert emu.sent_messages(ALICE)[-1].location == (31.23, 121.47)

    assert await app.bot.delete_message(ALICE, message.message_id)
    deleted = await emu.wait_for_message(ALICE, lambda m: m.deleted)
    assert deleted.message_id == message.message_id
    with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
        await app.bot.delete_message(ALICE, message.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await app.bot.edit_message_text("three", ALICE, message.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await app.bot.edit_message_text("three", ALICE, 999)


async def test_old_messages_cannot_be_deleted(app: AnyApp, emu: BotApiEmulator) -> None:
    message = await app.bot.send_message(ALICE, "old news")
    real_clock = emu.clock
    emu.clock = lambda: real_clock() + 49 * 3600
    with pytest.raises(BadRequest, match=r"(?i)message can't be deleted"):
        await app.bot.delete_message(ALICE, message.message_id)
