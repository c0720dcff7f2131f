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

from bot import roles
from bot.app import build_application
from bot.leadership import Leadership
from bot.metrics import Metrics
from bot.runner import polling, running
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
    leadership: Leadership | None = None,
) -> AsyncIterator[Serving]:
    """The HTTP app listening (on `sock` when given, else GRIDBOT_LISTEN), then the bot.
    `standing` is the instance's active/standby state: always active, unless `leadership`
    (several instances on PostgreSQL, bot.leadership) is handed in, which then sets it; only
    the active instance then polls, drains the outbox and runs the duty clock (bot.roles)."""
    standing = standing or Standing()
    metrics = Metrics(standing)
    app = build_application(
        settings,
        knowledge=knowledge,
        metrics=metrics,
        webhook=use_webhook,
        leadership=leadership,
    )
    receiver: WebhookReceiver | None = None
    path = "/telegram"
    if use_webhook:
        url, secret = settings.require_webhook()
        path = urlsplit(url).path or "/"
        receiver = WebhookReceiver(app, secret=secret, standing=standing, metrics=metrics)
        lifecycle = webhook(app, url=url, secret=secret)
    elif leadership is not None:
        # Polling is started and stopped by bot.roles as the lock comes and goes.
        lifecycle = running(app, start_receiving=_nothing, stop_receiving=_nothing)
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
        async with (
            lifecycle,
            _leading(app, leadership, standing, polls=not use_webhook, poll_timeout=poll_timeout),
        ):
            yield Serving(app=app, standing=standing, metrics=metrics, port=int(bound))
    finally:
        server.should_exit = True
        await task


async def _nothing(_app: GridApplication) -> None:
    return None


@asynccontextmanager
async def _leading(
    app: GridApplication,
    leadership: Leadership | None,
    standing: Standing,
    *,
    polls: bool,
    poll_timeout: int,
) -> AsyncIterator[None]:
    """While the bot runs: follow `leadership` (none: this instance is simply active)."""
    if leadership is None:
        yield
        return
    await leadership.start()
    standing.set(leadership.active)
    stop = asyncio.Event()
    follower = asyncio.create_task(
        roles.follow(
            app,
            leadership,
            stop=stop,
            poll_timeout=poll_timeout,
            polls=polls,
            on_change=standing.set,
        ),
        name="leadership",
    )
    try:
        yield
    finally:
        stop.set()
        await follower
        await leadership.stop()


async def serve(
    settings: Settings, *, use_webhook: bool, leadership: Leadership | None = None
) -> None:
    """Run until SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    async with serving(settings, use_webhook=use_webhook, leadership=leadership):
        await stop.wait()
