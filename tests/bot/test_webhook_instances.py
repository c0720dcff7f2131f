"""Two `gridbot run --webhook` processes on one PostgreSQL behind a proxy that does what
deploy/nginx.conf does (`proxy_next_upstream error timeout http_502 http_503`): the active
instance takes the webhook, the standby answers 503 so the proxy tries the other, and after a
kill -9 of the active one the standby takes over and Telegram's retries reach it. Every update
is handled exactly once, including one the dead instance had already handled and Telegram
delivers again."""

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from emulator import BotApiEmulator
from tests.bot.instances import STANDBY_LOG, Instance, start_instance, stop_instance
from tests.bot.served import SECRET, free_socket
from tests.conftest import TEST_DATABASE_URL

pytestmark = pytest.mark.skipif(
    not TEST_DATABASE_URL.startswith("postgresql"),
    reason="several instances need PostgreSQL (SQLite serves one process)",
)

ACTIVE_LOG = "active: receiving webhooks"
USERS = range(8601, 8606)
TAKEOVER_LIMIT_SECONDS = 10.0
# What the proxy answers when no upstream took the update (nginx: 502 Bad Gateway).
NO_UPSTREAM = 502


def free_port() -> int:
    sock = free_socket()
    port = int(sock.getsockname()[1])
    sock.close()
    return port


@asynccontextmanager
async def proxy(upstreams: list[str]) -> AsyncIterator[tuple[str, list[tuple[str, int]]]]:
    """The webhook's public address: each POST goes to the first upstream that answers other
    than 502/503 or a connection error. Yields the URL and every (upstream, status) tried."""
    tried: list[tuple[str, int]] = []

    async def forward(request: web.Request) -> web.Response:
        body = await request.read()
        headers = {
            key: value
            for key, value in request.headers.items()
            if key.lower() in {"content-type", "x-telegram-bot-api-secret-token"}
        }
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as http:
            for upstream in upstreams:
                try:
                    async with http.post(upstream, data=body, headers=headers) as answer:
                        tried.append((upstream, answer.status))
                        if answer.status not in (502, 503):
                            return web.Response(status=answer.status, body=await answer.read())
                except (aiohttp.ClientError, TimeoutError):
                    tried.append((upstream, 0))
        return web.Response(status=NO_UPSTREAM)

    app = web.Application()
    app.router.add_post("/hook", forward)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    try:
        yield f"http://127.0.0.1:{port}/hook", tried
    finally:
        await runner.cleanup()


async def eventually(what: str, check: Callable[[], bool], seconds: float, *logs: Instance) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} within {seconds}s\n" + "\n".join(i.tail() for i in logs))
        await asyncio.sleep(0.05)


async def test_the_standby_takes_the_webhook_over_and_every_update_is_handled_once(
    emulator: BotApiEmulator, database_url: str, engine: AsyncEngine, tmp_path: Path
) -> None:
    del engine  # a clean database
    emulator.webhook_retry_seconds = 0.2
    for user in USERS:
        emulator.user(user)
    ports = {"first": free_port(), "second": free_port()}
    upstreams = [f"http://127.0.0.1:{port}/hook" for port in ports.values()]
    async with proxy(upstreams) as (public_url, tried):
        env = {
            "GRIDBOT_WEBHOOK_URL": public_url,
            "GRIDBOT_WEBHOOK_SECRET": SECRET,
            "GRIDBOT_DUTY_FIRST_RUN_SECONDS": "86400",
        }

        async def start(name: str) -> Instance:
            return await start_instance(
                name,
                database_url=database_url,
                emulator=emulator,
                log_dir=tmp_path,
                env={**env, "GRIDBOT_LISTEN": f"127.0.0.1:{ports[name]}"},
                args=("--webhook",),
            )

        first = await start("first")
        second: Instance | None = None
        try:
            await first.wait_for_log(ACTIVE_LOG)
            second = await start("second")
            await second.wait_for_log(STANDBY_LOG)
            assert emulator.webhook_url == public_url

            # Ask the standby directly: it refuses the update, so a proxy tries the active one.
            async with (
                aiohttp.ClientSession() as http,
                http.post(
                    upstreams[1],
                    json={"update_id": 1},
                    headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
                ) as refused,
            ):
                assert refused.status == 503

            for user in USERS:
                await emulator.send_text(user, "/help")
            await eventually(
                "the active instance did not answer everyone",
                lambda: all(len(emulator.sent_messages(u)) == 1 for u in USERS),
                20,
                first,
                second,
            )
            handled_by_first = {u for u, status in emulator.webhook_deliveries if status == 200}

            first.kill()
            await first.process.wait()
            killed_at = time.monotonic()
            # Telegram knows nothing of the kill: it goes on posting to the same address, and
            # delivers again what it is not sure of (here: every update the first one handled).
            for user in USERS:
                await emulator.send_text(user, "/help")
            for update_id in handled_by_first:
                emulator.redeliver(update_id)
            await eventually(
                "the standby did not take the webhook over",
                lambda: all(len(emulator.sent_messages(u)) >= 2 for u in USERS),
                TAKEOVER_LIMIT_SECONDS,
                first,
                second,
            )
            assert time.monotonic() - killed_at < TAKEOVER_LIMIT_SECONDS
            assert ACTIVE_LOG in second.log_text()

            # Every update answered 2xx in the end, the redelivered ones too; none handled twice.
            def all_accepted() -> bool:
                ok = {u for u, status in emulator.webhook_deliveries if status == 200}
                return ok >= {u for u, _status in emulator.webhook_deliveries}

            await eventually("an update was never accepted", all_accepted, 20, second)
            await asyncio.sleep(0.5)
            assert {u: len(emulator.sent_messages(u)) for u in USERS} == dict.fromkeys(USERS, 2)
            # Between the kill and the takeover the proxy found no one to take the update.
            assert (upstreams[0], 0) in tried
        finally:
            for instance in (first, second):
                if instance is not None:
                    await stop_instance(instance)
