"""Fixtures of the emulator tests: an emulator with Alice, and a small PTB bot polling it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram.ext import ApplicationBuilder, CallbackQueryHandler, CommandHandler

from emulator import BotApiEmulator
from tests.emulator.echo_bot import ALICE, BOT_USERNAME, TOKEN, AnyApp, on_button, start


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator(token=TOKEN, bot_username=BOT_USERNAME) as emulator:
        emulator.user(ALICE, first_name="Alice", username="alice")
        yield emulator


@pytest.fixture
async def app(emu: BotApiEmulator) -> AsyncIterator[AnyApp]:
    application = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(f"{emu.base_url}/bot")
        .base_file_url(f"{emu.base_url}/file/bot")
        .build()
    )
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CallbackQueryHandler(on_button))
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0.0, timeout=1)
        try:
            yield application
        finally:
            await application.updater.stop()
            await application.stop()
