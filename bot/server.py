"""`gridbot run`: the bot (polling or webhook) and its HTTP app in one event loop.

The HTTP app starts first, so /healthz answers while the bot starts; SIGINT and SIGTERM stop
the bot first (messages on the wire finish), then the HTTP app.
"""

import asyncio
import contextlib
import signal
import socket
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit

import uvicorn

from bot.app import build_application
from bot.metrics import Metrics
from bot.runner import polling
from bot.standing import Standing
from bot.web import build_web_app
from bot.webhook import WebhookReceiver, webhook
from core.settings import Settings
from handlers.context import GridApplication
from knowledge.base import KnowledgeBase


class _Server(uvicorn.Server):
    """uvicorn without its signal handlers: `serve` owns SIGINT/SIGTERM and the order of the
    shutdown (uvicorn's own would re-raise SIGINT once it is done)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@dataclass
class Serving:
    app: GridApplication
    standing: Standing
    metrics: Metrics
    port: int


@asynccontextmanager
async def serving(
    settings: Settings,
    *,
    use_webhook: bool,
    knowledge: KnowledgeBase | None = None,
    standing: Standing | None = None,
    sock: socket.socket | None = None,
    poll_timeout: int = 10,
) -> AsyncIterator[Serving]:
    """The HTTP app listening (on `sock` when given, else GRIDBOT_LISTEN), then the bot.
    `standing` is the instance's active/standby state (always active unless something that
    elects a leader among instances is handed in and sets it)."""
    standing = standing or Standing()
    metrics = Metrics(standing)
    app = build_application(settings, knowledge=knowledge, metrics=metrics, webhook=use_webhook)
    receiver: WebhookReceiver | None = None
    path = "/telegram"
    if use_webhook:
        url, secret = settings.require_webhook()
        path = urlsplit(url).path or "/"
        receiver = WebhookReceiver(app, secret=secret, standing=standing, metrics=metrics)
        lifecycle = webhook(app, url=url, secret=secret)
    else:
        lifecycle = polling(app, poll_timeout=poll_timeout)
    web = build_web_app(
        app, standing=standing, metrics=metrics, webhook=receiver, webhook_path=path
    )
    config = uvicorn.Config(
        web,
        host=settings.listen_host,
        port=settings.listen_port,
        lifespan="off",
        access_log=False,
        log_level="warning",
    )
    server = _Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock] if sock is not None else None))
    while not server.started:
        if task.done():
            task.result()  # raises what stopped it (uvicorn exits on a port in use)
            raise RuntimeError(f"cannot listen on {settings.listen}")
        await asyncio.sleep(0.02)
    bound = server.servers[0].sockets[0].getsockname()[1]
    try:
        async with lifecycle:
            yield Serving(app=app, standing=standing, metrics=metrics, port=int(bound))
    finally:
        server.should_exit = True
        await task


async def serve(settings: Settings, *, use_webhook: bool) -> None:
    """Run until SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with serving(settings, use_webhook=use_webhook):
        await stop.wait()
