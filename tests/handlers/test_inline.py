"""Inline mode through the real bot: answers for bound users only."""

import pytest

from emulator import BotApiEmulator
from tests.conftest import SmallCity
from tests.handlers.chat import bind, command

MEMBER_TG, STRANGER_TG = 8201, 8202

pytestmark = pytest.mark.usefixtures("bot_app")


async def test_inline_mode_for_bound_users_only(
    emulator: BotApiEmulator, small_city: SmallCity
) -> None:
    await bind(emulator, small_city, "member", MEMBER_TG)
    query_id = await emulator.send_inline_query(MEMBER_TG, "台帐")
    answer = await emulator.wait_for_inline_answer(query_id)
    assert answer.is_personal
    assert answer.results
    for result in answer.results:
        content = result["input_message_content"]["message_text"]
        assert "依据" in content
    emulator.user(STRANGER_TG, first_name="路人")
    stranger_query = await emulator.send_inline_query(STRANGER_TG, "台账")
    stranger = await emulator.wait_for_inline_answer(stranger_query)
    assert stranger.results == []
    assert stranger.button is not None
    assert stranger.button["start_parameter"] == "inline"
    # Following that button opens the bot with /start inline: the usual welcome, no error.
    reply = await command(emulator, STRANGER_TG, "/start inline")
    assert "还没有绑定身份" in (reply.text or "")
