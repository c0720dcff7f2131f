"""The one place that builds the Application: handlers in order, lifecycle, error handler."""

import logging
from types import ModuleType

from telegram.ext import AIORateLimiter, Application, ContextTypes

from bot.context import BotData, GridApplication, GridContext
from bot.errors import on_error
from bot.menus import set_default_menu
from bot.settings import Settings
from handlers import fallback, grids, help, onboarding, profile
from models.db import create_engine, session_factory
from services.access import CommandSpec

log = logging.getLogger(__name__)

# Registration order is dispatch order within group 0: the first matching handler wins.
HANDLER_MODULES: tuple[ModuleType, ...] = (
    onboarding,  # /start first: deep-link tokens must reach it before anything else
    help,
    profile,
    grids,
    fallback,  # last: catches whatever no feature handled, so it must come after all of them
)


def all_commands() -> tuple[CommandSpec, ...]:
    return tuple(spec for module in HANDLER_MODULES for spec in module.COMMANDS)


def build_application(settings: Settings) -> GridApplication:
    """Build the bot for `settings`; the engine and menus are created in post_init."""
    commands = all_commands()

    async def post_init(app: GridApplication) -> None:
        engine = create_engine(settings.database_url)
        app.bot_data.start(
            settings=settings,
            engine=engine,
            sessions=session_factory(engine),
            bot_username=app.bot.username,
            commands=commands,
        )
        await set_default_menu(app.bot, commands)
        log.info("gridbot started as @%s", app.bot.username)

    async def post_shutdown(app: GridApplication) -> None:
        if app.bot_data.started:
            await app.bot_data.engine.dispose()

    app: GridApplication = (
        Application.builder()
        .token(settings.require_token())
        .base_url(settings.bot_base_url)
        .base_file_url(settings.bot_file_base_url)
        .context_types(ContextTypes(context=GridContext, bot_data=BotData))
        .rate_limiter(AIORateLimiter(max_retries=3))
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    for module in HANDLER_MODULES:
        module.register(app)
    app.add_error_handler(on_error)
    return app
