"""The server: getMe, token and method routing, long polling, flood control, injected failures."""

from __future__ import annotations

import asyncio
import datetime as dtm

import httpx
import pytest
from telegram.error import NetworkError, RetryAfter

from emulator import BotApiEmulator
from tests.emulator.echo_bot import ALICE, BOT_USERNAME, TOKEN, AnyApp


async def test_get_me(app: AnyApp) -> None:
    me = await app.bot.get_me()
    assert me.id == 123
    assert me.is_bot
    assert me.username == BOT_USERNAME
    assert me.can_join_groups is True
    assert me.supports_inline_queries is False
    assert app.bot.username == BOT_USERNAME


async def test_raw_protocol_long_poll_and_errors(emu: BotApiEmulator) -> None:
    api = f"{emu.base_url}/bot{TOKEN}"
    async with httpx.AsyncClient(timeout=5) as client:
        response = await client.post(f"{emu.base_url}/botWRONG/getMe")
        assert response.status_code == 401
        assert response.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
        response = await client.post(f"{api}/sendTelepathy")
        assert response.status_code == 404
        assert response.json()["description"] == "Not Found"
        # GET with query parameters and case-insensitive method names work too.
        assert (await client.get(f"{api}/getme")).json()["result"]["username"] == BOT_USERNAME

        loop = asyncio.get_running_loop()
        started = loop.time()
        poll = asyncio.create_task(client.post(f"{api}/getUpdates", json={"timeout": 10}))
        await asyncio.sleep(0.05)
        await emu.send_text(ALICE, "hi")
        updates = (await poll).json()["result"]
        assert loop.time() - started < 2
        assert [u["message"]["text"] for u in updates] == ["hi"]

        # Unconfirmed updates are redelivered; offset confirms them.
        again = await client.post(f"{api}/getUpdates", data={"timeout": "0"})
        assert again.json()["result"] == updates
        offset = updates[-1]["update_id"] + 1
        confirmed = await client.post(f"{api}/getUpdates", json={"offset": offset, "timeout": 0})
        assert confirmed.json()["result"] == []
        assert emu.pending_updates() == []

        unknown_query = await client.post(
            f"{api}/answerCallbackQuery", json={"callback_query_id": "nope"}
        )
        assert unknown_query.json()["description"] == (
            "Bad Request: query is too old and response timeout expired or query ID is invalid"
        )
        bad = await client.post(
            f"{api}/sendMessage",
            data={"chat_id": str(ALICE), "text": "x", "reply_markup": '{"inline_keyboard": 1}'},
        )
        assert bad.status_code == 400
        assert bad.json()["ok"] is False


async def test_rate_limit_and_injected_failures(
    app: AnyApp, emu: BotApiEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    # RetryAfter reads its own retry_after in __init__, which warns (an error here)
    # unless PTB is told to use timedelta already.
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    emu.rate_limit_per_second = 1.0
    await app.bot.send_message(ALICE, "first")
    with pytest.raises(RetryAfter) as excinfo:
        await app.bot.send_message(ALICE, "second")
    assert excinfo.value.retry_after == dtm.timedelta(seconds=1)
    emu.rate_limit_per_second = None

    emu.per_chat_rate_limit_per_second = 0.5
    emu.user(2002, "Bob")
    await app.bot.send_message(ALICE, "a")
    await app.bot.send_message(2002, "other chats are not affected")
    with pytest.raises(RetryAfter) as excinfo:
        await app.bot.send_message(ALICE, "b")
    assert excinfo.value.retry_after == dtm.timedelta(seconds=2)
    emu.per_chat_rate_limit_per_second = None

    emu.fail_next("sendMessage", 429, retry_after=7)
    with pytest.raises(RetryAfter) as excinfo:
        await app.bot.send_message(ALICE, "flood")
    assert excinfo.value.retry_after == dtm.timedelta(seconds=7)
    emu.fail_next("sendMessage", status=502)
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await app.bot.send_message(ALICE, "gateway")
    await app.bot.send_message(ALICE, "recovered")
    assert [m.text for m in emu.sent_messages(ALICE)] == ["first", "a", "recovered"]
