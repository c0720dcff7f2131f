"""`gridbot run` with one or more instances: every instance starts the Application (knowledge
base, engine, handlers, outbox worker), so that taking over costs no start-up; only the active
one polls for updates. The outbox worker and the duty clock read the leadership themselves
(bot/app.py), so a demoted instance has stopped sending before this loop even notices.

On becoming active: claims of the previous active instance go back to the queue at once
(`OutboxWorker.take_over`), the duty clock's catch-up is brought forward, polling starts.
On losing it: polling stops (updates already fetched are still handled).
"""

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import Callable

from bot import clock
from bot.leadership import Leadership
from bot.runner import ALLOWED_UPDATES
from handlers.context import GridApplication

log = logging.getLogger(__name__)

# How long a stopping updater may take (it confirms the fetched updates with one more call).
STOP_POLLING_SECONDS = 5.0
# A failed start of polling (Telegram unreachable) is tried again this often while active.
RETRY_SECONDS = 1.0
# The previous instance's claims are requeued within this, or later by their lease.
TAKE_OVER_SECONDS = 30.0


async def _start_polling(app: GridApplication, leadership: Leadership, poll_timeout: int) -> None:
    assert app.updater is not None
    while leadership.active and not app.updater.running:
        try:
            await app.updater.start_polling(
                poll_interval=0.0, timeout=poll_timeout, allowed_updates=ALLOWED_UPDATES
            )
        except Exception:
            log.exception("could not start polling; trying again")
            await asyncio.sleep(RETRY_SECONDS)


async def _stop_polling(app: GridApplication) -> None:
    assert app.updater is not None
    if not app.updater.running:
        return
    try:
        async with asyncio.timeout(STOP_POLLING_SECONDS):
            await app.updater.stop()
    except Exception:
        log.exception("polling did not stop cleanly")


async def _take_over_outbox(app: GridApplication) -> None:
    try:
        async with asyncio.timeout(TAKE_OVER_SECONDS):
            await app.bot_data.outbox.take_over()
    except Exception:
        # Not lost: those claims go back when their lease runs out.
        log.exception("outbox: could not take over the previous instance's claims")


async def _become_active(
    app: GridApplication,
    leadership: Leadership,
    *,
    catch_up_seconds: float,
    poll_timeout: int,
    polls: bool,
) -> None:
    started = time.monotonic()
    # Users first: the outbox's takeover must not hold them up (the database may take a while
    # to end what a vanished instance left open).
    app.create_task(_take_over_outbox(app), name="outbox take-over")
    clock.run_soon(app, seconds=catch_up_seconds)
    if polls:
        await _start_polling(app, leadership, poll_timeout)
    log.warning(
        "active: %s (%.2f s after taking the lock)",
        "polling for updates" if polls else "receiving webhooks",
        time.monotonic() - started,
    )


async def serve(
    app: GridApplication,
    leadership: Leadership,
    *,
    stop: asyncio.Event,
    poll_timeout: int = 10,
) -> None:
    """Run `app` until `stop` is set, polling while `leadership` is active."""
    await app.initialize()
    try:
        if app.post_init is not None:
            await app.post_init(app)
        await app.start()
        await leadership.start()
        try:
            await follow(app, leadership, stop=stop, poll_timeout=poll_timeout)
        finally:
            await leadership.stop()
            await app.stop()
            if app.post_stop is not None:
                await app.post_stop(app)
    finally:
        await app.shutdown()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)


async def follow(
    app: GridApplication,
    leadership: Leadership,
    *,
    stop: asyncio.Event,
    poll_timeout: int = 10,
    polls: bool = True,
    on_change: Callable[[bool], None] | None = None,
) -> None:
    """Until `stop` is set, act on each change of `leadership`: on becoming active take the
    previous instance's claims, bring the duty clock forward and (`polls`) start polling; on
    losing it stop polling. `on_change` is told the new state (the HTTP app's Standing; in
    webhook mode /readyz is how the proxy finds the active instance)."""
    catch_up = app.bot_data.settings.duty_first_run_seconds
    active = False
    stopped = asyncio.ensure_future(stop.wait())
    try:
        while not stop.is_set():
            if leadership.active and not active:
                if on_change is not None:
                    on_change(True)
                await _become_active(
                    app,
                    leadership,
                    catch_up_seconds=catch_up,
                    poll_timeout=poll_timeout,
                    polls=polls,
                )
                active = True
            elif not leadership.active and active:
                if on_change is not None:
                    on_change(False)
                log.warning("standby: this instance is no longer active")
                if polls:
                    await _stop_polling(app)
                active = False
            changed = asyncio.ensure_future(leadership.wait_changed())
            await asyncio.wait({changed, stopped}, return_when=asyncio.FIRST_COMPLETED)
            changed.cancel()
    finally:
        stopped.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await stopped
        if polls:
            await _stop_polling(app)


def run(app: GridApplication, leadership: Leadership) -> None:
    """`gridbot run`: serve until SIGINT or SIGTERM."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await serve(app, leadership, stop=stop)

    asyncio.run(main())
