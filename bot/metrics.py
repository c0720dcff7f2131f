"""The Prometheus metrics of one instance (served at /metrics by bot.web).

Counters the bot keeps anyway (the outbox worker's stats, the limiter's counts) are read at
scrape time by a collector; what only the wiring sees (updates, latency, errors, reminders) is
counted here. Each instance has its own registry, so tests can build several in one process.
Metric names are documented in the README (正式部署).
"""

import asyncio
from collections.abc import Iterable

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    GCCollector,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from telegram import Update

from bot.limiter import LANES, SendCounts
from bot.standing import Standing
from handlers.context import GridContext
from models.outbox import QueueSummary
from services.duties.engine import EngineReport
from services.outbox.worker import OutboxStats

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

# Replies are meant to take well under 100 ms; the tail matters up to a flood wait's seconds.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


def update_kind(update: object) -> str:
    """A small, fixed set of labels: what the user did."""
    if not isinstance(update, Update):
        return "other"
    if update.message is not None:
        text = update.message.text or ""
        return "command" if text.startswith("/") else "message"
    for kind in ("callback_query", "inline_query", "my_chat_member", "edited_message"):
        if getattr(update, kind) is not None:
            return kind
    return "other"


class Metrics:
    def __init__(self, standing: Standing | None = None) -> None:
        self.standing = standing or Standing()
        self.registry = CollectorRegistry()
        # The usual process_*, python_info and python_gc_* series, on this registry.
        ProcessCollector(registry=self.registry)
        PlatformCollector(registry=self.registry)
        GCCollector(registry=self.registry)
        self.updates = Counter(
            "gridbot_updates_handled",
            "Updates handled, by kind",
            ["kind"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "gridbot_reply_latency_seconds",
            "From an update's turn to the end of its handling (the reply sent)",
            ["kind"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.errors = Counter(
            "gridbot_errors",
            "Updates whose handling failed, by exception type",
            ["error"],
            registry=self.registry,
        )
        self.reminders = Counter(
            "gridbot_reminders",
            "Reminders the duty engine claimed (queued, skipped), found claimed, or failed",
            ["outcome"],
            registry=self.registry,
        )
        self.webhook = Counter(
            "gridbot_webhook_deliveries",
            "Webhook POSTs: accepted, duplicate (ignored), refused (bad secret), malformed, "
            "unavailable (standby, starting or database down: answered 503)",
            ["outcome"],
            registry=self.registry,
        )
        self.queue_depth = Gauge(
            "gridbot_outbox_queue_depth",
            "Outbox messages waiting (pending) and on the wire (sending), all instances",
            ["status"],
            registry=self.registry,
        )
        self.oldest_due = Gauge(
            "gridbot_outbox_oldest_due_seconds",
            "How long the longest-waiting due outbox message has been due",
            registry=self.registry,
        )
        active = Gauge(
            "gridbot_active",
            "1 on the active instance, 0 on a standby",
            registry=self.registry,
        )
        active.set_function(lambda: 1.0 if self.standing.active else 0.0)
        self._sends: SendCounts | None = None
        self._outbox: OutboxStats | None = None
        self.registry.register(_SendsCollector(self))

    def watch_sends(self, counts: SendCounts) -> None:
        self._sends = counts

    def watch_outbox(self, stats: OutboxStats) -> None:
        self._outbox = stats

    def observe_update(self, update: object, seconds: float) -> None:
        kind = update_kind(update)
        self.updates.labels(kind).inc()
        self.latency.labels(kind).observe(seconds)

    async def on_error(self, update: object, context: GridContext) -> None:
        """An extra error handler: counts, next to bot.errors.on_error, which answers."""
        del update
        self.errors.labels(type(context.error).__name__).inc()

    def observe_engine(self, report: EngineReport) -> None:
        self.reminders.labels("queued").inc(len(report.queued))
        self.reminders.labels("skipped").inc(len(report.skipped))
        self.reminders.labels("already_claimed").inc(report.already)
        self.reminders.labels("failed").inc(len(report.failed))

    def observe_queue(self, summary: QueueSummary, *, oldest_due_seconds: float) -> None:
        self.queue_depth.labels("pending").set(summary.pending)
        self.queue_depth.labels("sending").set(summary.sending)
        self.oldest_due.set(oldest_due_seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)


class _SendsCollector(Collector):
    """The outbox worker's and the limiter's own counters, read at scrape time."""

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    def collect(self) -> Iterable[Metric]:
        sends = self._metrics._sends
        if sends is not None:
            sent = CounterMetricFamily(
                "gridbot_telegram_messages_sent",
                "Messages (sends and edits) Telegram accepted, by lane",
                labels=["lane"],
            )
            refusals = CounterMetricFamily(
                "gridbot_telegram_flood_refusals",
                "429 answers (flood control) from Telegram, by lane",
                labels=["lane"],
            )
            waits = CounterMetricFamily(
                "gridbot_telegram_flood_wait_seconds",
                "Seconds Telegram's 429 answers asked us to wait, by lane",
                labels=["lane"],
            )
            for lane in LANES:
                sent.add_metric([lane], sends.sent[lane])
                refusals.add_metric([lane], sends.flood_refusals[lane])
                waits.add_metric([lane], sends.flood_wait_seconds[lane])
            yield from (sent, refusals, waits)
            yield CounterMetricFamily(
                "gridbot_outbox_yielded_seconds",
                "Seconds outbox sends waited for what replies left of the budget",
                value=sends.yielded_seconds,
            )
            yield GaugeMetricFamily(
                "gridbot_outbox_sent_per_second",
                "Outbox messages (free and paid) sent per second over the last 10 seconds",
                value=sends.outbox_rate(_loop_time()),
            )
        stats = self._metrics._outbox
        if stats is not None:
            outcomes = CounterMetricFamily(
                "gridbot_outbox_messages",
                "Outbox messages settled by this instance, by outcome",
                labels=["outcome"],
            )
            outcomes.add_metric(["sent"], stats.sent)
            outcomes.add_metric(["failed"], stats.failed)
            outcomes.add_metric(["unreachable"], stats.unreachable)
            outcomes.add_metric(["retried"], stats.retried)
            yield outcomes
            yield CounterMetricFamily(
                "gridbot_outbox_flood_waits",
                "429 answers that reached the outbox worker (past the limiter's retries)",
                value=stats.flood_waits,
            )


def _loop_time() -> float:
    try:
        return asyncio.get_running_loop().time()
    except RuntimeError:
        # Scraped outside the loop (a test calling generate_latest directly): nothing recent.
        return float("inf")
