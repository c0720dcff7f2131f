"""`gridbot demo` (the browser sandbox): the page served at once (bot.sandbox.front), then the
demo city, the emulator and the real bot behind it (bot.sandbox.live); Ctrl+C stops them in
reverse. This module imports little, so that the page is up while the bot's modules load."""

import asyncio
import contextlib
import importlib
import os
import signal
import socket
import sys
import webbrowser
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import uvicorn

from bot.sandbox.front import Front

if TYPE_CHECKING:
    from bot.sandbox.live import Sandbox

DEFAULT_PORT = 8765


def _listening_socket(port: int) -> socket.socket:
    """127.0.0.1:`port`, or any free port when that one is taken (another sandbox runs)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", port))
    except OSError:
        sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    sock.setblocking(False)
    return sock


@asynccontextmanager
async def serving(front: Front, port: int) -> AsyncIterator[str]:
    """`front` served on 127.0.0.1 (its URL) until the block ends."""
    sock = _listening_socket(port)
    server = uvicorn.Server(
        uvicorn.Config(
            front,
            lifespan="off",
            access_log=False,
            # uvicorn's own log lines go where the bot's go (demo.log), not on screen.
            log_config=None,
            timeout_graceful_shutdown=1,
        )
    )
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if task.done():
                task.result()
                raise RuntimeError("the sandbox page could not be served")
            await asyncio.sleep(0.02)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/"
    finally:
        server.should_exit = True
        await task
        sock.close()


@asynccontextmanager
async def behind(
    front: Front, url: str, directory: Path, *, enterprises: int, towns: int, reset: bool
) -> "AsyncIterator[Sandbox]":
    """The sandbox started behind a page already served."""
    # The bot's modules take seconds to import: off the loop, which keeps serving the page.
    live = await asyncio.to_thread(importlib.import_module, "bot.sandbox.live")
    async with live.started(
        directory, enterprises=enterprises, towns=towns, reset=reset, front=front, url=url
    ) as running:
        yield running


@asynccontextmanager
async def sandbox(
    directory: Path,
    *,
    enterprises: int,
    towns: int,
    reset: bool = False,
    port: int = DEFAULT_PORT,
) -> "AsyncIterator[Sandbox]":
    """The running sandbox; its page and API answer at `Sandbox.url` until the block ends."""
    front = Front()
    async with (
        serving(front, port) as url,
        behind(front, url, directory, enterprises=enterprises, towns=towns, reset=reset) as running,
    ):
        yield running


def browser_available() -> bool:
    """Whether opening a page can show it: a browser named in BROWSER, a desktop session,
    or a system that always has one. Elsewhere (a server over ssh) the URL is printed only."""
    if os.environ.get("BROWSER"):
        return True
    if sys.platform in {"darwin", "win32"}:
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


async def run_sandbox(
    *,
    directory: Path,
    enterprises: int,
    towns: int,
    reset: bool = False,
    port: int = DEFAULT_PORT,
    open_browser: bool = True,
) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        # Windows' event loops have no signal handlers: Ctrl+C then ends it as KeyboardInterrupt.
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    front = Front()
    async with serving(front, port) as url:
        print(f"演示沙盒网页：{url}（正在准备演示城市和机器人，网页会自动显示）")
        if open_browser and browser_available():
            # A console browser would hold the terminal: opened off the event loop.
            opening = asyncio.create_task(asyncio.to_thread(webbrowser.open, url))
        else:
            opening = None
            print("请在浏览器中打开上面的地址。")
        async with behind(front, url, directory, enterprises=enterprises, towns=towns, reset=reset):
            print(f"演示沙盒已就绪：{url}")
            print(f"运行日志：{directory / 'demo.log'}；按 Ctrl+C 退出")
            print("再次运行时继续使用这个演示城市和聊天记录；加 --reset 重新生成。")
            if opening is not None and not await opening:
                print("未能自动打开浏览器，请手动打开上面的地址。")
            await stop.wait()
    print("再见！")
    return 0
