"""The control API over HTTP, driving the small PTB bot."""

from __future__ import annotations

import httpx
import pytest
from telegram import KeyboardButton, ReplyKeyboardMarkup
from telegram.error import Forbidden

from emulator import BotApiEmulator
from tests.emulator.echo_bot import AnyApp


async def test_http_control_api(app: AnyApp, emu: BotApiEmulator) -> None:
    control = f"{emu.base_url}/control"
    async with httpx.AsyncClient(timeout=5) as client:
        bob = await client.post(f"{control}/users/2002", json={"first_name": "Bob"})
        assert bob.json()["result"]["first_name"] == "Bob"
        sent = await client.post(f"{control}/users/2002/text", json={"text": "/start"})
        assert sent.json()["result"]["text"] == "/start"

        listing = await client.get(f"{control}/chats/2002/messages", params={"timeout": 5})
        (reply,) = listing.json()["result"]
        assert reply["text"] == "欢迎, Bob & co"

        pressed = await client.post(
            f"{control}/users/2002/press",
            json={"message_id": reply["message_id"], "callback_data": "confirm:1"},
        )
        query_id = pressed.json()["result"]["callback_query_id"]
        changed = await client.get(
            f"{control}/chats/2002/messages", params={"after": reply["seq"], "timeout": 5}
        )
        (edited,) = changed.json()["result"]
        assert (edited["text"], edited["edited"]) == ("已选择 confirm:1", True)
        assert (await emu.wait_for_callback_answer(query_id)).text == "got confirm:1"

        missing = await client.post(
            f"{control}/users/2002/press", json={"message_id": 999, "callback_data": "x"}
        )
        assert missing.status_code == 400
        assert "no bot message" in missing.json()["description"]

        await client.post(f"{control}/users/2002/location", json={"latitude": 1, "longitude": 2})
        assert (await client.post(f"{control}/users/2002/block")).json()["result"] is True
        with pytest.raises(Forbidden):
            await app.bot.send_message(2002, "still there?")
        await client.post(f"{control}/users/2002/unblock")
        await app.bot.send_message(2002, "yes")


async def test_http_contact_and_reply_button(app: AnyApp, emu: BotApiEmulator) -> None:
    control = f"{emu.base_url}/control"
    async with httpx.AsyncClient(timeout=5) as client:
        await client.post(f"{control}/users/2003", json={"phone_number": "8613800000000"})
        own = await client.post(f"{control}/users/2003/contact", json={})
        assert own.json()["result"]["contact"]["user_id"] == 2003
        assert own.json()["result"]["contact"]["phone_number"] == "8613800000000"
        other = await client.post(
            f"{control}/users/2003/contact", json={"own": False, "phone_number": "139"}
        )
        assert "user_id" not in other.json()["result"]["contact"]
        none = await client.post(f"{control}/users/2003/reply_button", json={"text": "x"})
        assert none.status_code == 400
        share = KeyboardButton("分享", request_contact=True)
        await app.bot.send_message(2003, "请分享", reply_markup=ReplyKeyboardMarkup([[share]]))
        tapped = await client.post(f"{control}/users/2003/reply_button", json={"text": "分享"})
        assert tapped.json()["result"]["contact"]["user_id"] == 2003
