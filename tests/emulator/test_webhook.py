"""The emulator's webhook: setWebhook, delivery by POST with the secret header, retries after
non-2xx answers, deliberate repeats, getWebhookInfo, and getUpdates refused meanwhile."""

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from aiohttp import web

from emulator import BotApiEmulator
from tests.emulator.echo_bot import ALICE, TOKEN


class Receiver:
    """A webhook endpoint that answers the statuses it is told, then 200."""

    def __init__(self) -> None:
        self.statuses: list[int] = []
        self.received: list[tuple[str | None, dict[str, Any]]] = []
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        self.received.append(
            (request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json())
        )
        return web.Response(status=self.statuses.pop(0) if self.statuses else 200)


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    receiver = Receiver()
    app = web.Application()
    app.router.add_post("/hook", receiver.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    receiver.url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    try:
        yield receiver
    finally:
        await runner.cleanup()


async def eventually(condition: Callable[[], bool], seconds: float = 10) -> None:
    """Wait until `condition()` holds; fail after `seconds`."""
    for _ in range(int(seconds / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("not in time")


async def test_updates_are_posted_with_the_secret_and_retried_until_2xx(
    emu: BotApiEmulator, receiver: Receiver
) -> None:
    emu.webhook_retry_seconds = 0.01
    api = f"{emu.base_url}/bot{TOKEN}"
    async with httpx.AsyncClient(timeout=5) as client:
        answer = await client.post(
            f"{api}/setWebhook", json={"url": receiver.url, "secret_token": "s3cret"}
        )
        assert answer.json()["result"] is True
        polled = await client.post(f"{api}/getUpdates", json={"timeout": 0})
        assert polled.status_code == 409
        assert "webhook is active" in polled.json()["description"]

        receiver.statuses = [500, 429]
        await emu.send_text(ALICE, "hi")
        await emu.send_text(ALICE, "second")
        await eventually(lambda: len(receiver.received) == 4)
        # In order; the first one three times (500, 429, then 200), the second once.
        texts = [body["message"]["text"] for _secret, body in receiver.received]
        assert texts == ["hi", "hi", "hi", "second"]
        assert {secret for secret, _body in receiver.received} == {"s3cret"}
        first, second = (body["update_id"] for _s, body in receiver.received[2:])
        assert emu.webhook_deliveries == [(first, 500), (first, 429), (first, 200), (second, 200)]
        info = (await client.post(f"{api}/getWebhookInfo")).json()["result"]
        assert info["url"] == receiver.url
        assert info["pending_update_count"] == 0
        assert info["last_error_message"] == "Wrong response from the webhook: 429"

        # Telegram repeating a delivery whose answer it did not see.
        emu.redeliver(first)
        await eventually(lambda: len(receiver.received) == 5)
        assert receiver.received[-1][1]["update_id"] == first

        assert (await client.post(f"{api}/deleteWebhook")).json()["result"] is True
        await emu.send_text(ALICE, "polled")
        polled = await client.post(f"{api}/getUpdates", json={"timeout": 0})
        assert [u["message"]["text"] for u in polled.json()["result"]] == ["polled"]
        assert len(receiver.received) == 5


async def test_an_unreachable_webhook_is_tried_again(emu: BotApiEmulator) -> None:
    emu.webhook_retry_seconds = 0.01
    api = f"{emu.base_url}/bot{TOKEN}"
    async with httpx.AsyncClient(timeout=5) as client:
        # Nothing listens on port 9 of the loopback.
        await client.post(f"{api}/setWebhook", json={"url": "http://127.0.0.1:9/hook"})
        await emu.send_text(ALICE, "hi")
        await eventually(lambda: len(emu.webhook_deliveries) >= 2)
        assert all(isinstance(status, str) for _u, status in emu.webhook_deliveries)
        info = (await client.post(f"{api}/getWebhookInfo")).json()["result"]
        assert info["pending_update_count"] == 1
        assert info["last_error_message"].startswith("Connection failed")
