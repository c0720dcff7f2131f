"""The one place that builds the Application: handlers in order, lifecycle, error handler."""

import asyncio
import gc
import logging
from dataclasses import replace
from types import ModuleType

from telegram.ext import Application, ContextTypes

from bot import clock
from bot.errors import on_error
from bot.leadership import Leadership
from bot.limiter import InteractiveFirstLimiter
from bot.metrics import Metrics
from bot.updates import PerChatUpdateProcessor
from core.settings import Settings
from handlers import (
    activities,
    admin,
    chase,
    conversation_keeper,
    duties,
    fallback,
    faq,
    grids,
    help,
    inline,
    law,
    notices,
    onboarding,
    oversight,
    phone_binding,
    profile,
    questions,
    reachability,
    reports,
    study,
    tips,
    todo,
)
from handlers import settings as settings_handlers
from handlers.context import BotData, GridApplication, GridContext, UserData
from handlers.menus import set_default_menu
from knowledge.base import KnowledgeBase
from models.db import create_engine, session_factory
from services import workdays
from services.access import CommandSpec
from services.duties.config import load_duties, workday_overrides
from services.duty_registry import build_duties
from services.outbox.worker import OutboxConfig, OutboxWorker
from services.questions.candidates import knowledge_with_approved

log = logging.getLogger(__name__)

# Registration order is dispatch order within group 0: the first matching handler wins.
HANDLER_MODULES: tuple[ModuleType, ...] = (
    onboarding,  # /start first: deep-link tokens must reach it before anything else
    phone_binding,  # shared contacts (binding by phone); no other feature takes them
    help,
    profile,
    # Guided conversations: each only takes replies from users inside it, and must stay above
    # faq, which treats any other private text as a question to the knowledge base.
    activities,
    questions,
    notices,
    study,
    settings_handlers,
    reports,
    duties,
    todo,
    oversight,  # /export, /stats, /mystats, /departments
    admin,  # the roster as a document (above chase, which takes other lists), /unmatched, /audit
    chase,  # documents (platform lists) and /chase; above faq and fallback
    # Plain private text is a question to the knowledge base. Guided conversations added
    # later must be registered above this module, or faq would take their users' replies.
    faq,
    law,
    tips,
    grids,
    inline,
    fallback,  # last: catches whatever no feature handled, so it must come after all of them
)


def all_commands() -> tuple[CommandSpec, ...]:
    return tuple(spec for module in HANDLER_MODULES for spec in module.COMMANDS)


async def load_knowledge() -> KnowledgeBase:
    # Segmenting every entry takes a moment: keep it off the event loop.
    return await asyncio.to_thread(KnowledgeBase.load, None)


def build_application(
    settings: Settings,
    *,
    knowledge: KnowledgeBase | None = None,
    outbox: OutboxConfig | None = None,
    metrics: Metrics | None = None,
    webhook: bool = False,
    leadership: Leadership | None = None,
) -> GridApplication:
    """Build the bot for `settings`; the engine, knowledge base, outbox worker and menus are
    created in post_init (a loaded knowledge base may be handed in, e.g. shared by tests).
    `metrics` is told what the bot does; with `webhook`, updates come from bot.webhook's
    route instead of an Updater. With `leadership` (several instances), the outbox and the
    duty clock work only while it is active; bot.roles starts and stops receiving."""
    commands = all_commands()
    role = leadership or Leadership()
    metrics = metrics or Metrics()
    outbox = outbox or OutboxConfig()
    if settings.allow_paid_broadcast:
        outbox = replace(outbox, paid_broadcast=True, rate_per_second=settings.paid_broadcast_rate)
    limiter = InteractiveFirstLimiter(max_retries=3)
    metrics.watch_sends(limiter.counts)

    async def post_init(app: GridApplication) -> None:
        # First: a wrong duties file stops the bot before anything starts (DutyConfigError,
        # in Chinese, naming the file and every problem).
        duties_config = load_duties(settings.duties_file)
        workdays.use_overrides(workday_overrides(duties_config))
        loaded = knowledge if knowledge is not None else await load_knowledge()
        engine = create_engine(settings.database_url, tz=settings.tz)
        sessions = session_factory(engine)
        async with sessions() as session:
            # Instructors' answers approved with /faqreview are searchable too.
            loaded = await knowledge_with_approved(
                session=session, knowledge=loaded, tz=settings.tz
            )
        worker = OutboxWorker(
            bot=app.bot,
            sessions=sessions,
            config=outbox,
            quiet_hours=clock.quiet_hours(settings, duties_config),
            may_send=lambda: role.active,
        )
        metrics.watch_outbox(worker.stats)
        app.bot_data.start(
            settings=settings,
            engine=engine,
            sessions=sessions,
            bot_username=app.bot.username,
            commands=commands,
            knowledge=loaded,
            outbox=worker,
            duties_config=duties_config,
            duties=build_duties(config=duties_config, settings=settings, knowledge=loaded),
        )
        clock.start(
            app,
            settings=settings,
            config=duties_config,
            on_report=metrics.observe_engine,
            leadership=role,
        )
        # The knowledge base and jieba's dictionary are millions of objects that live as long
        # as the bot: keep them out of the collector's full passes, which would otherwise
        # stall every chat for a few hundred milliseconds now and then (unfrozen on shutdown).
        gc.collect()
        gc.freeze()
        await set_default_menu(app.bot, commands)
        await worker.start()
        log.info("gridbot started as @%s", app.bot.username)

    async def post_stop(app: GridApplication) -> None:
        # Before Application.shutdown closes the bot's HTTP client: messages on the wire finish.
        if app.bot_data.started:
            await app.bot_data.outbox.stop()

    async def post_shutdown(app: GridApplication) -> None:
        gc.unfreeze()
        if app.bot_data.started:
            await app.bot_data.outbox.stop()  # a no-op unless post_stop was skipped
            await app.bot_data.engine.dispose()

    builder = Application.builder()
    if webhook:
        builder = builder.updater(None)
    app: GridApplication = (
        builder.token(settings.require_token())
        .base_url(settings.bot_base_url)
        .base_file_url(settings.bot_file_base_url)
        .read_timeout(settings.api_read_timeout_seconds)
        .context_types(ContextTypes(context=GridContext, bot_data=BotData, user_data=UserData))
        # Chats are served side by side, each chat's updates in order.
        .concurrent_updates(PerChatUpdateProcessor(observer=metrics.observe_update))
        # Shared by replies and the outbox: the outbox only takes what replies leave of the
        # budget, so replies never queue behind a broadcast.
        .rate_limiter(limiter)
        .post_init(post_init)
        .post_stop(post_stop)
        .post_shutdown(post_shutdown)
        .build()
    )
    for module in HANDLER_MODULES:
        module.register(app)
    # After every guided conversation is registered: it keeps them all in the database.
    conversation_keeper.register(app)
    # Only my_chat_member updates: no feature handler sees those, so the order does not matter.
    reachability.register(app)
    app.add_error_handler(on_error)
    app.add_error_handler(metrics.on_error)
    return app
