"""End-to-end fixtures: the real Application, long-polling our loopback Bot API emulator,
on the real test database."""

from collections.abc import AsyncIterator

import pytest

from bot.app import build_application
from bot.context import GridApplication
from bot.emulator import BotApiEmulator
from bot.runner import polling
from bot.settings import load_settings

TOKEN = "4242:test-token"
BOT_USERNAME = "gridbot_test_bot"


@pytest.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator(token=TOKEN, bot_username=BOT_USERNAME) as emu:
        yield emu


@pytest.fixture
async def bot_app(
    emulator: BotApiEmulator, database_url: str, engine: object
) -> AsyncIterator[GridApplication]:
    """The real Application, long-polling the emulator; `engine` ensures a clean database."""
    del engine
    settings = load_settings(token=TOKEN, database_url=database_url, api_base_url=emulator.base_url)
    async with polling(build_application(settings), poll_timeout=1) as app:
        yield app
