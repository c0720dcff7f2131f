"""The duty engine's clock: a JobQueue job that asks the engine for due reminders.

The job decides nothing and remembers nothing: every reminder is claimed in the database
(services/duties/engine.py), so a run that comes late, twice, or in two processes at once sends
each reminder once. Its first run, shortly after start, is the catch-up after downtime.
With several instances it runs on the active one only; the catch-up comes again when a
standby takes over (`run_soon`).
"""

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from bot.leadership import Leadership
from core.settings import Settings
from handlers.context import GridApplication, GridContext
from models.db import create_engine, session_factory
from services.duties.base import Duty
from services.duties.config import DutiesConfig
from services.duties.engine import EngineReport, run_due
from services.outbox.quiet_hours import QuietHours

log = logging.getLogger(__name__)

JOB_NAME = "duties:engine"


def quiet_hours(settings: Settings, config: DutiesConfig) -> QuietHours | None:
    """The quiet window from the duties file, unless the settings switch it off."""
    if not settings.quiet_hours:
        return None
    return QuietHours(start=config.engine.quiet_start, end=config.engine.quiet_end, tz=settings.tz)


async def engine_tick(context: GridContext) -> EngineReport | None:
    """One run of the engine over every duty, at the wall-clock time (None: not run, quiet
    hours)."""
    bot_data = context.bot_data
    job = context.job
    if job is not None and isinstance(job.data, Leadership) and not job.data.active:
        return None
    now = datetime.now(UTC)
    quiet = bot_data.outbox.quiet_hours
    if quiet is not None and quiet.resumes_at(now) is not None:
        # Decided in the morning instead, so that a reminder whose deadline passes overnight is
        # skipped rather than delivered late (the outbox would hold it until then anyway).
        return None
    # Deciding a day's reminders for a city is seconds of Python: done on the event loop it
    # would hold up every chat, so it runs in a thread with its own loop and connections.
    report = await asyncio.to_thread(run_in_thread, bot_data.settings, bot_data.duties, now)
    if report.queued:
        bot_data.outbox.wake()
    return report


def run_in_thread(settings: Settings, duties: Sequence[Duty], now: datetime) -> EngineReport:
    """One engine run on a private event loop and database engine (for a worker thread)."""

    async def run() -> EngineReport:
        engine = create_engine(settings.database_url, tz=settings.tz)
        try:
            return await run_due(sessions=session_factory(engine), duties=duties, now=now)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def start(
    app: GridApplication,
    *,
    settings: Settings,
    config: DutiesConfig,
    on_report: Callable[[EngineReport], None] | None = None,
    leadership: Leadership | None = None,
) -> None:
    """Schedule the engine every `tick_minutes` (called in post_init, once the duties file is
    loaded); the first run comes `duty_first_run_seconds` after start. `on_report` is told
    what each run did (the metrics); with `leadership`, a run does nothing while this instance
    is not active."""
    assert app.job_queue is not None
    tick = timedelta(minutes=config.engine.tick_minutes)

    async def tick_and_report(context: GridContext) -> None:
        report = await engine_tick(context)
        if report is not None and on_report is not None:
            on_report(report)

    app.job_queue.run_repeating(
        tick_and_report,
        interval=tick,
        first=settings.duty_first_run_seconds,
        name=JOB_NAME,
        data=leadership,
        job_kwargs={
            # PTB's default grace of 1 s would silently drop a run delayed by a busy loop or a
            # suspended host; a run up to one tick late is still worth doing.
            "misfire_grace_time": int(tick.total_seconds()),
            # Runs missed during a stall collapse into one: the engine catches up on its own.
            "coalesce": True,
            # Never two runs of one process at once (two processes are fine: claims decide).
            "max_instances": 1,
        },
    )
    log.info("duty clock: every %s, first run in %s s", tick, settings.duty_first_run_seconds)


def run_soon(app: GridApplication, *, seconds: float) -> None:
    """Bring the engine's next run forward to `seconds` from now: the catch-up of an instance
    that has just become active."""
    assert app.job_queue is not None
    for job in app.job_queue.get_jobs_by_name(JOB_NAME):
        job.job.modify(next_run_time=datetime.now(UTC) + timedelta(seconds=seconds))
