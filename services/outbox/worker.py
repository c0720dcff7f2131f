"""The outbox worker: delivers queued messages through the bot at the pace Telegram allows.

Started in post_init, stopped in post_stop (before the bot's HTTP client closes). Each message
is claimed (committed as `sending`) before its HTTP call and marked `sent` after it, so a
killed process loses nothing and, after its lease runs out, re-sends only what it had on the
wire or not yet marked (sent messages are marked in small batches: services/outbox/settling.py).
Messages go through `app.bot`, i.e. through the Application's AIORateLimiter, so
interactive replies and the outbox share one budget; the outbox paces itself below it.

With several instances only the active one sends: `may_send` (the instance's leadership) is
asked before every claim and again right before every message goes on the wire, so a demoted
instance stops at once; claimed messages it had not sent are left for `take_over`.
"""

import asyncio
import logging
import os
import secrets
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TypedDict

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Bot, InlineKeyboardMarkup
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError

from models import outbox as queries
from models.db import transaction
from models.tables import OutboxMessage
from services.outbox import MEDIA_KINDS
from services.outbox.lane import outbox_context
from services.outbox.pacing import CHAT_INTERVAL_SECONDS, RATE_PER_SECOND, Gate, Pacer
from services.outbox.quiet_hours import QuietHours
from services.outbox.reachability import record_unreachable
from services.outbox.retry import RetryPolicy
from services.outbox.settling import SentBatches
from services.outbox.wire import Failed, Halted, Outcome, Retry, Sent, Unreachable, put_on_wire

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OutboxConfig:
    # Telegram's limits are per bot: with several processes, give each a share of the rate.
    rate_per_second: float = RATE_PER_SECOND
    chat_interval: float = CHAT_INTERVAL_SECONDS
    # Claimed messages waiting for their slot or on the wire; about one second's worth.
    max_in_flight: int = 25
    # How often an idle worker looks for due messages that nobody woke it for (other
    # processes' messages, retries coming due).
    poll_interval: float = 0.5
    # A claim not renewed for this long belongs to a dead worker; live workers renew theirs.
    lease: timedelta = timedelta(seconds=60)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    # How long a stopping worker lets messages already on the wire finish.
    stop_timeout: float = 10.0
    # Telegram's paid broadcast (allow_paid_broadcast): beyond the free 30/s, for a fee per
    # message; `rate_per_second` is then its own cap (bot/app.py sets both from the settings).
    paid_broadcast: bool = False


@dataclass
class OutboxStats:
    """What this worker did since it started (for logs, tests and the benchmark)."""

    sent: int = 0
    failed: int = 0
    unreachable: int = 0
    retried: int = 0
    flood_waits: int = 0
    # When the last message was settled (sent, failed or put back for a retry).
    last_settled: datetime | None = None


def new_worker_id() -> str:
    """Unique per process and start: a restarted process never mistakes old claims for its own."""
    return f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"


class _Held(TypedDict):
    """Identifies a claim: only its holder may settle a message."""

    message_id: int
    worker_id: str


def _now() -> datetime:
    return datetime.now(UTC)


def _seconds(delay: timedelta | int) -> float:
    return delay.total_seconds() if isinstance(delay, timedelta) else float(delay)


class OutboxWorker:
    """Drains the outbox table through `bot`; see the module docstring for the guarantees."""

    def __init__(
        self,
        *,
        bot: Bot,
        sessions: async_sessionmaker[AsyncSession],
        config: OutboxConfig | None = None,
        worker_id: str | None = None,
        quiet_hours: QuietHours | None = None,
        clock: Callable[[], datetime] = _now,
        may_send: Callable[[], bool] | None = None,
    ) -> None:
        self.config = config or OutboxConfig()
        self._may_send = may_send or (lambda: True)
        # Nothing is claimed inside the quiet window, whoever queued it: this is the one place
        # that keeps every bot-initiated message out of the night.
        self.quiet_hours = quiet_hours
        self._clock = clock
        self.worker_id = worker_id or new_worker_id()
        self.stats = OutboxStats()
        self._bot = bot
        self._sessions = sessions
        self._sent = SentBatches(sessions=sessions, worker_id=self.worker_id, clock=clock)
        self._gate = Gate(
            Pacer(rate=self.config.rate_per_second, chat_interval=self.config.chat_interval)
        )
        self._wake = asyncio.Event()
        self._stopping = False
        self._loop_task: asyncio.Task[None] | None = None
        # Claimed message id -> its delivery task; ids on the wire are in _on_wire.
        self._in_flight: dict[int, asyncio.Task[None]] = {}
        self._on_wire: set[int] = set()

    @property
    def running(self) -> bool:
        """Whether the claiming loop is alive (started, not stopped, not crashed)."""
        return self._loop_task is not None and not self._loop_task.done()

    def stalled(
        self, *, oldest_due: datetime | None, now: datetime, after: timedelta
    ) -> str | None:
        """Why the outbox is stuck, or None: a message due for longer than `after` while
        nothing was settled for as long, outside the quiet hours and any flood wait."""
        if not self.running:
            return "outbox worker not running"
        if oldest_due is None or now - oldest_due <= after:
            return None
        if self.quiet_hours is not None and self.quiet_hours.resumes_at(now) is not None:
            return None
        if self._gate.paused():
            return None
        settled = self.stats.last_settled
        if settled is not None and now - settled <= after:
            return None
        return f"outbox stuck: a message due since {oldest_due.isoformat()} is not sent"

    def wake(self) -> None:
        """Look for due messages now (call after committing an enqueue)."""
        self._wake.set()

    async def take_over(self) -> int:
        """Requeue every claim but this worker's own messages in flight, then look for work:
        called when this instance has just become the only active one, so those claims are a
        dead or demoted instance's and need not wait for their lease. Returns how many."""
        async with transaction(self._sessions) as session:
            count = await queries.requeue_others(
                session=session, keep_ids=list(self._in_flight), worker_id=self.worker_id
            )
        if count:
            log.warning("outbox: took over %d messages claimed by another instance", count)
        self.wake()
        return count

    async def start(self) -> None:
        if self._loop_task is not None:
            raise RuntimeError("outbox worker already started")
        # Its sends, and those of the tasks it starts, yield to interactive replies.
        self._loop_task = asyncio.create_task(
            self._run(), name=f"outbox {self.worker_id}", context=outbox_context()
        )
        log.info("outbox worker %s started", self.worker_id)

    async def stop(self) -> None:
        """Stop claiming, give back what never reached the wire, let the rest finish."""
        task, self._loop_task = self._loop_task, None
        if task is None:
            return
        self._stopping = True
        self._wake.set()
        await task
        waiting = [t for mid, t in self._in_flight.items() if mid not in self._on_wire]
        unsent = [mid for mid in self._in_flight if mid not in self._on_wire]
        for waiting_task in waiting:
            waiting_task.cancel()
        tasks = list(self._in_flight.values())
        if tasks:
            _done, late = await asyncio.wait(tasks, timeout=self.config.stop_timeout)
            for late_task in late:
                # Still on the wire: the message stays claimed and its lease decides.
                late_task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        if unsent:
            try:
                async with transaction(self._sessions) as session:
                    await queries.release(
                        session=session, message_ids=unsent, worker_id=self.worker_id
                    )
            except (SQLAlchemyError, OSError):
                # Not lost: their lease runs out and another start sends them.
                log.exception("outbox: could not give back %d claimed messages", len(unsent))
        log.info("outbox worker %s stopped: %s", self.worker_id, self.stats)

    # --- The claiming loop -------------------------------------------------------------

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        lease = self.config.lease.total_seconds()
        next_requeue = next_renew = loop.time()
        failures = 0
        while not self._stopping:
            self._wake.clear()
            if not self._may_send():
                await self._sleep(self.config.poll_interval)
                continue
            try:
                if loop.time() >= next_requeue:
                    await self._requeue_expired()
                    next_requeue = loop.time() + lease / 2
                if loop.time() >= next_renew:
                    await self._renew_leases()
                    next_renew = loop.time() + lease / 3
                for message in await self._claim():
                    self._dispatch(message)
                failures = 0
            except Exception:
                # The loop must outlive any one failure (database down, a bug in one claim):
                # nothing else would ever send the outbox again.
                failures += 1
                log.exception("outbox: claiming failed (%d in a row)", failures)
                await self._sleep(min(30.0, 0.5 * 2**failures))
                continue
            await self._sleep(self.config.poll_interval)

    async def _sleep(self, seconds: float) -> None:
        try:
            async with asyncio.timeout(seconds):
                await self._wake.wait()
        except TimeoutError:
            pass

    async def _claim(self) -> list[OutboxMessage]:
        room = self.config.max_in_flight - len(self._in_flight)
        if room <= 0:
            return []
        now = self._clock()
        if self.quiet_hours is not None and self.quiet_hours.resumes_at(now) is not None:
            return []
        async with self._sessions() as session:
            if not await queries.has_due(session=session, now=now):
                return []
        async with transaction(self._sessions) as session:
            return await queries.claim_batch(
                session=session, worker_id=self.worker_id, now=now, limit=room
            )

    async def _requeue_expired(self) -> None:
        async with transaction(self._sessions) as session:
            count = await queries.requeue_expired(
                session=session, now=self._clock(), lease=self.config.lease
            )
        if count:
            log.warning("outbox: %d messages of a dead worker queued again", count)

    async def _renew_leases(self) -> None:
        if not self._in_flight:
            return
        async with transaction(self._sessions) as session:
            await queries.renew_leases(
                session=session,
                message_ids=list(self._in_flight),
                worker_id=self.worker_id,
                now=self._clock(),
            )

    def _dispatch(self, message: OutboxMessage) -> None:
        assert message.id is not None
        self._in_flight[message.id] = asyncio.create_task(
            self._deliver(message), name=f"outbox message {message.id}"
        )

    # --- One message ---------------------------------------------------------------------

    async def _deliver(self, message: OutboxMessage) -> None:
        assert message.id is not None
        try:
            outcome = await self._send(message)
            await self._settle(message, outcome)
        except Exception:
            # A background task has nobody to raise to. The row stays claimed; once its lease
            # runs out it is sent again.
            log.exception("outbox: delivering message %s failed", message.id)
        finally:
            self._on_wire.discard(message.id)
            del self._in_flight[message.id]
            # Claim again in batches, not one row per finished message.
            if len(self._in_flight) <= self.config.max_in_flight // 2:
                self._wake.set()

    async def _send(self, message: OutboxMessage) -> Outcome:
        assert message.id is not None
        if message.media_kind is not None and (
            message.media_kind not in MEDIA_KINDS or not message.media_file_id
        ):
            return Failed(f"unsupported media: {message.media_kind}")
        markup = None
        if message.reply_markup is not None:
            if "inline_keyboard" not in message.reply_markup:
                return Failed("unsupported reply_markup: only inline keyboards")
            markup = InlineKeyboardMarkup.de_json(message.reply_markup, self._bot)
        while True:
            await self._gate.wait_turn(message.chat_id)
            if not self._may_send():
                return Halted()
            self._on_wire.add(message.id)
            try:
                sent = await put_on_wire(
                    self._bot, message, markup, paid=self.config.paid_broadcast
                )
            except RetryAfter as exc:
                # Never dropped and not an attempt: everybody waits as told, then it goes again.
                self._on_wire.discard(message.id)
                self.stats.flood_waits += 1
                wait = _seconds(exc.retry_after)
                log.warning("outbox: flood control, all sending paused for %.0f s", wait)
                self._gate.pause(wait)
                continue
            except Forbidden as exc:
                return Unreachable(exc.message)
            except (BadRequest, ChatMigrated) as exc:
                return Failed(exc.message)
            except TelegramError as exc:
                # Timeouts, connection errors, 5xx and anything else that may pass.
                return Retry(f"{type(exc).__name__}: {exc.message}")
            finally:
                # The chat's next message is spaced from when this one got its answer.
                self._gate.finished(message.chat_id)
            return Sent(sent.message_id)

    async def _settle(self, message: OutboxMessage, outcome: Outcome) -> None:
        assert message.id is not None
        if isinstance(outcome, Halted):
            return
        self.stats.last_settled = self._clock()
        if isinstance(outcome, Sent):
            self.stats.sent += 1
            await self._sent.mark_sent(message.id, outcome.message_id)
            return
        held = _Held(message_id=message.id, worker_id=self.worker_id)
        alerts = 0
        async with transaction(self._sessions) as session:
            match outcome:
                case Failed(reason):
                    self.stats.failed += 1
                    log.warning("outbox: message %s failed: %s", message.id, reason)
                    await queries.mark_failed(session=session, reason=reason, **held)
                case Unreachable(reason):
                    self.stats.unreachable += 1
                    log.info("outbox: chat %s unreachable: %s", message.chat_id, reason)
                    await queries.mark_failed(session=session, reason=reason, **held)
                    alerts = await record_unreachable(
                        session=session,
                        chat_id=message.chat_id,
                        person_id=message.person_id,
                        now=self._clock(),
                        reason=reason,
                    )
                case Retry(reason):
                    attempts = message.attempts + 1
                    delay = self.config.retry.delay(attempts)
                    if delay is None:
                        self.stats.failed += 1
                        log.warning("outbox: message %s given up: %s", message.id, reason)
                        await queries.mark_failed(
                            session=session,
                            reason=f"gave up after {attempts} attempts: {reason}",
                            **held,
                        )
                    else:
                        self.stats.retried += 1
                        await queries.mark_retry(
                            session=session,
                            not_before=self._clock() + timedelta(seconds=delay),
                            error=reason,
                            **held,
                        )
        if alerts:
            self.wake()
