"""The Python control API: users act, tests read snapshots of what the bot sent."""

from __future__ import annotations

import pytest
from telegram.error import BadRequest, Forbidden

from emulator import BotApiEmulator, EmulatorError, SentMessage
from tests.emulator.echo_bot import ALICE, BOT_USERNAME, AnyApp, keyboard


async def test_start_deep_link_button_and_edit(app: AnyApp, emu: BotApiEmulator) -> None:
    sent = await emu.send_text(ALICE, "/start abc")
    assert sent["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]

    reply = await emu.wait_for_message(ALICE)
    assert app.bot_data["start_args"] == [["abc"]]
    assert reply.message_id == sent["message_id"] + 1
    assert reply.text == "欢迎, Alice & co"
    assert reply.source_text == "<b>欢迎</b>, Alice &amp; co"
    assert reply.parse_mode == "HTML"
    assert reply.entities == [{"type": "bold", "offset": 0, "length": 2}]
    assert [b["callback_data"] for b in reply.buttons] == ["confirm:1", "cancel"]

    query_id = await emu.press_button(ALICE, reply.message_id, reply.callback_data("取消"))
    answer = await emu.wait_for_callback_answer(query_id)
    assert answer.text == "got cancel"

    edited = await emu.wait_for_message(ALICE, lambda m: m.edited, after=reply)
    assert edited.message_id == reply.message_id
    assert edited.text == "已选择 cancel"
    assert edited.entities == [{"type": "italic", "offset": 0, "length": 3}]
    # Editing the text without reply_markup drops the inline keyboard, as on Telegram.
    assert edited.reply_markup is None
    assert edited.edit_count == 1
    # The snapshot taken earlier is not mutated by later edits.
    assert reply.text == "欢迎, Alice & co"
    assert [m.text for m in emu.sent_messages(ALICE)] == ["已选择 cancel"]

    with pytest.raises(EmulatorError, match="no button"):
        await emu.press_button(ALICE, reply.message_id, "cancel")


async def test_command_addressed_by_username(app: AnyApp, emu: BotApiEmulator) -> None:
    await emu.send_text(ALICE, "/start@other_bot nope")
    await emu.send_text(ALICE, f"/start@{BOT_USERNAME} xyz")
    await emu.wait_for_message(ALICE)
    # Updates are processed in order: the command for another bot was already skipped.
    assert app.bot_data["start_args"] == [["xyz"]]
    assert len(emu.sent_messages(ALICE)) == 1


async def test_forged_callback_is_delivered(app: AnyApp, emu: BotApiEmulator) -> None:
    message = await app.bot.send_message(ALICE, "pick", reply_markup=keyboard())
    with pytest.raises(EmulatorError):
        await emu.press_button(ALICE, message.message_id, "admin:drop_all")
    query_id = await emu.press_button(ALICE, message.message_id, "admin:drop_all", forge=True)
    answer = await emu.wait_for_callback_answer(query_id)
    assert answer.text == "got admin:drop_all"
    edited = await emu.wait_for_message(ALICE, lambda m: m.edited)
    assert edited.text == "已选择 admin:drop_all"


async def test_blocked_user_and_unknown_chat(app: AnyApp, emu: BotApiEmulator) -> None:
    emu.block(ALICE)
    with pytest.raises(Forbidden, match="blocked by the user"):
        await app.bot.send_message(ALICE, "hello?")
    emu.unblock(ALICE)
    await app.bot.send_message(ALICE, "welcome back")
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await app.bot.send_message(4242, "who?")
    with pytest.raises(EmulatorError):
        emu.block(4242)


async def test_wait_for_message_timeout_lists_chat(app: AnyApp, emu: BotApiEmulator) -> None:
    await app.bot.send_message(ALICE, "something else")
    with pytest.raises(TimeoutError, match="something else"):
        await emu.wait_for_message(ALICE, lambda m: m.text == "never", timeout=0.05)


def test_sent_message_helpers() -> None:
    message = SentMessage(
        message_id=1,
        chat_id=1,
        method="sendMessage",
        date=0,
        reply_markup={"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]},
    )
    assert message.callback_data("Go") == "go"
    with pytest.raises(EmulatorError, match="'Go'"):
        message.callback_data("Stop")
