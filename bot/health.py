"""Readiness: what /readyz answers, and the queue figures /metrics shows.

Ready means: this instance is the active one, its database answers within a few seconds, and
its outbox is not stuck (the worker runs, and no message has been due for longer than
`stuck_after` while nothing was sent for as long: quiet hours and Telegram's flood waits
excuse the wait). A standby is alive (/healthz) but not ready, so the proxy sends it nothing.
"""

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import SQLAlchemyError

from bot.metrics import Metrics
from bot.standing import Standing
from handlers.context import GridApplication
from models import outbox as outbox_queries

DATABASE_TIMEOUT_SECONDS = 3.0
STUCK_AFTER = timedelta(minutes=5)


@dataclass(frozen=True)
class Readiness:
    problems: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not self.problems


async def check(
    app: GridApplication,
    *,
    standing: Standing,
    metrics: Metrics | None = None,
    stuck_after: timedelta = STUCK_AFTER,
) -> Readiness:
    """Look at the database and the outbox; record the queue figures on `metrics`."""
    problems: list[str] = []
    if not standing.active:
        problems.append("standby")
    bot_data = app.bot_data
    if not bot_data.started:
        return Readiness([*problems, "starting"])
    now = datetime.now(UTC)
    try:
        async with asyncio.timeout(DATABASE_TIMEOUT_SECONDS), bot_data.sessions() as session:
            summary = await outbox_queries.queue_summary(session=session, now=now)
    except (SQLAlchemyError, OSError, TimeoutError) as exc:
        return Readiness([*problems, f"database unreachable: {type(exc).__name__}"])
    waited = (now - summary.oldest_due).total_seconds() if summary.oldest_due else 0.0
    if metrics is not None:
        metrics.observe_queue(summary, oldest_due_seconds=max(0.0, waited))
    if standing.active:
        stalled = bot_data.outbox.stalled(oldest_due=summary.oldest_due, now=now, after=stuck_after)
        if stalled is not None:
            problems.append(stalled)
    return Readiness(problems)
