"""`gridbot run` as tests run it: the bot and its HTTP app (bot.server.serving) on a free
loopback port, against the emulator and the test database."""

import asyncio
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from bot.server import Serving, serving
from core.settings import load_settings
from emulator import BotApiEmulator
from knowledge.base import KnowledgeBase
from tests.conftest import TOKEN

SECRET = "test_webhook-secret"


def free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@asynccontextmanager
async def served(
    emulator: BotApiEmulator,
    *,
    database_url: str,
    knowledge: KnowledgeBase,
    use_webhook: bool = False,
    **overrides: object,
) -> AsyncIterator[Serving]:
    sock = free_socket()
    port = sock.getsockname()[1]
    settings = load_settings(
        token=TOKEN,
        database_url=database_url,
        api_base_url=emulator.base_url,
        quiet_hours=False,
        duty_first_run_seconds=24 * 3600,
        listen=f"127.0.0.1:{port}",
        webhook_url=f"http://127.0.0.1:{port}/telegram/updates",
        webhook_secret=SECRET,
        **overrides,
    )
    async with serving(
        settings, use_webhook=use_webhook, knowledge=knowledge, sock=sock, poll_timeout=1
    ) as running:
        yield running


async def eventually(condition: Callable[[], bool], seconds: float = 10) -> None:
    """Wait until `condition()` holds; fail after `seconds`."""
    for _ in range(int(seconds / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("not in time")
