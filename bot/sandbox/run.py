"""`gridbot demo` (the browser sandbox): the demo city, the emulator, the real bot and the
page, started in that order in one event loop, and stopped in reverse on Ctrl+C."""

import asyncio
import contextlib
import logging
import os
import signal
import socket
import sys
import webbrowser
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import uvicorn

from bot.app import build_application
from bot.demo import DEMO_BOT_USERNAME, DEMO_TOKEN, log_to_file, prepare_city
from bot.runner import polling
from bot.sandbox.cast import read_cast
from bot.sandbox.chats import Chats
from bot.sandbox.clock import DutyClock
from bot.sandbox.history import add_history
from bot.sandbox.web import build_sandbox_app
from core.settings import load_settings
from emulator import BotApiEmulator
from emulator.snapshot import write_chats
from models.db import create_engine, session_factory

log = logging.getLogger(__name__)

DEFAULT_PORT = 8765
CHATS_FILE = "sandbox-chats.pickle"
PANES_FILE = "sandbox-panes.json"
CLOCK_FILE = "sandbox-clock.json"
# How often the chats are written to disk while the sandbox runs (and once at the end).
SAVE_EVERY_SECONDS = 30.0


@dataclass(frozen=True)
class Sandbox:
    url: str
    chats: Chats
    clock: DutyClock
    emulator: BotApiEmulator


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
async def sandbox(
    directory: Path,
    *,
    enterprises: int,
    towns: int,
    reset: bool = False,
    port: int = DEFAULT_PORT,
) -> AsyncIterator[Sandbox]:
    """The running sandbox; its page answers at `Sandbox.url` until the block ends."""
    city = await prepare_city(directory, enterprises=enterprises, towns=towns, reset=reset)
    log_to_file(directory / "demo.log")
    engine = create_engine(city.database_url)
    sessions = session_factory(engine)
    chats_file = directory / CHATS_FILE
    async with BotApiEmulator(token=DEMO_TOKEN, bot_username=DEMO_BOT_USERNAME) as emulator:
        if city.reopened:
            emulator.load_chats(chats_file)
        settings = load_settings(
            token=DEMO_TOKEN,
            database_url=city.database_url,
            api_base_url=emulator.base_url,
            quiet_hours=False,
        )
        app = build_application(settings)
        async with polling(app, poll_timeout=1):
            async with sessions() as session:
                cast = await read_cast(session=session)
            chats = Chats(
                emulator,
                cast,
                sessions=sessions,
                invite_ttl=settings.invite_ttl,
                state_file=directory / PANES_FILE,
            )
            if not city.reopened:
                await add_history(sessions=sessions, cast=cast, tz=settings.tz)
            chats.start_watching()
            await chats.bind_all([*chats.panes, *cast.extras])
            clock = DutyClock(app, state_file=directory / CLOCK_FILE)
            web = build_sandbox_app(chats, clock, bot_name=DEMO_BOT_USERNAME)
            sock = _listening_socket(port)
            server = uvicorn.Server(
                uvicorn.Config(
                    web,
                    lifespan="off",
                    access_log=False,
                    # uvicorn's own log lines go where the bot's go (demo.log), not on screen.
                    log_config=None,
                    timeout_graceful_shutdown=1,
                )
            )
            serving = asyncio.create_task(server.serve(sockets=[sock]))
            saving = asyncio.create_task(_keep_saving(emulator, chats_file))
            while not server.started:
                if serving.done():
                    serving.result()
                    raise RuntimeError("the sandbox page could not be served")
                await asyncio.sleep(0.02)
            url = f"http://127.0.0.1:{sock.getsockname()[1]}/"
            try:
                yield Sandbox(url, chats, clock, emulator)
            finally:
                saving.cancel()
                chats.events.close()
                server.should_exit = True
                await serving
                await chats.stop_watching()
                emulator.save_chats(chats_file)
                sock.close()
    await engine.dispose()


async def _keep_saving(emulator: BotApiEmulator, path: Path) -> None:
    saved = emulator.checkpoint()
    while True:
        await asyncio.sleep(SAVE_EVERY_SECONDS)
        if emulator.checkpoint() != saved:
            saved = emulator.checkpoint()
            await asyncio.to_thread(write_chats, path, emulator.dump_chats())


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
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    async with sandbox(
        directory, enterprises=enterprises, towns=towns, reset=reset, port=port
    ) as running:
        print(f"演示沙盒已就绪：{running.url}")
        print(f"运行日志：{directory / 'demo.log'}；按 Ctrl+C 退出")
        print("再次运行时继续使用这个演示城市和聊天记录；加 --reset 重新生成。")
        if open_browser and browser_available():
            # A console browser would hold the terminal: opened off the event loop.
            opened = await asyncio.to_thread(webbrowser.open, running.url)
            if not opened:
                print("未能自动打开浏览器，请手动打开上面的地址。")
        else:
            print("请在浏览器中打开上面的地址。")
        await stop.wait()
    print("再见！")
    return 0
