"""The sandbox's city, emulator and bot, started in that order (and stopped in reverse) behind
a page already served (bot.sandbox.front): imported by bot.sandbox.run off the event loop, as
it brings in the whole bot."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from bot.app import build_application
from bot.demo import DEMO_BOT_USERNAME, DEMO_TOKEN, log_to_file, prepare_city
from bot.runner import polling
from bot.sandbox.cast import read_cast
from bot.sandbox.chats import Chats
from bot.sandbox.clock import DutyClock
from bot.sandbox.front import Front
from bot.sandbox.history import add_history
from bot.sandbox.web import build_sandbox_app
from core.settings import load_settings
from emulator import BotApiEmulator
from emulator.snapshot import write_chats
from models.db import create_engine, session_factory

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


@asynccontextmanager
async def started(
    directory: Path, *, enterprises: int, towns: int, reset: bool, front: Front, url: str
) -> AsyncIterator[Sandbox]:
    """The sandbox behind `front` (served at `url`): its API answers until the block ends."""
    front.step = "正在准备演示城市…"
    city = await prepare_city(directory, enterprises=enterprises, towns=towns, reset=reset)
    log_to_file(directory / "demo.log")
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
        engine = create_engine(city.database_url, tz=settings.tz)
        sessions = session_factory(engine)
        front.step = "正在启动机器人…"
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
            front.step = "正在为演示人员点击个人邀请链接…"
            await chats.bind_all([*chats.panes, *cast.extras])
            clock = DutyClock(app, state_file=directory / CLOCK_FILE)
            saving = asyncio.create_task(_keep_saving(emulator, chats_file))
            front.api = build_sandbox_app(chats, clock, bot_name=DEMO_BOT_USERNAME)
            try:
                yield Sandbox(url, chats, clock, emulator)
            finally:
                front.api = None
                front.step = "演示沙盒已停止。"
                saving.cancel()
                chats.events.close()
                # The page's event streams end before the server stops.
                await asyncio.sleep(0)
                await chats.stop_watching()
                emulator.save_chats(chats_file)
    await engine.dispose()


async def _keep_saving(emulator: BotApiEmulator, path: Path) -> None:
    saved = emulator.checkpoint()
    while True:
        await asyncio.sleep(SAVE_EVERY_SECONDS)
        if emulator.checkpoint() != saved:
            saved = emulator.checkpoint()
            await asyncio.to_thread(write_chats, path, emulator.dump_chats())
