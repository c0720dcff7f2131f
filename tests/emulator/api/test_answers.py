"""answerInlineQuery (answerCallbackQuery is covered with the control API)."""

from __future__ import annotations

import pytest
from telegram import InlineQueryResultArticle, InputTextMessageContent, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import ContextTypes, InlineQueryHandler

from emulator import BotApiEmulator
from tests.emulator.echo_bot import ALICE, AnyApp


async def test_inline_query_round_trip(app: AnyApp, emu: BotApiEmulator) -> None:
    async def on_inline(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.inline_query
        assert query is not None
        await query.answer(
            [
                InlineQueryResultArticle(
                    id="r1",
                    title=f"结果：{query.query}",
                    input_message_content=InputTextMessageContent(
                        "<b>统计台账</b>", parse_mode=ParseMode.HTML
                    ),
                )
            ],
            cache_time=5,
            is_personal=True,
        )

    app.add_handler(InlineQueryHandler(on_inline))
    emu.user(ALICE, first_name="Alice")
    query_id = await emu.send_inline_query(ALICE, "台账")
    answer = await emu.wait_for_inline_answer(query_id)
    assert answer.is_personal
    assert answer.cache_time == 5
    assert [r["title"] for r in answer.results] == ["结果：台账"]
    # A second answer to the same query is refused, as Telegram does.
    with pytest.raises(BadRequest, match=r"(?i)query id is invalid"):
        await app.bot.answer_inline_query(query_id, [])
