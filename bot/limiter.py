"""Interactive replies before broadcasts: one budget for everything the bot sends.

PTB's AIORateLimiter keeps the bot under Telegram's ~30 messages/s, but it serves requests in
arrival order: while the outbox sends 30/s, a burst of replies to people checking in at a
meeting would queue behind it. This limiter keeps AIORateLimiter's work (overall and group
limits, retrying 429s) and adds a budget of `budget_per_second` messages shared by both kinds
of traffic: a reply spends from it at once, even into debt; an outbox message (sent from a task
running in `outbox_context()`) waits until the budget has a message to spare. The outbox thus
sends min(its own pace, budget - replies) per second and replies never wait for it.

The budget banks one message beyond the one in hand (`BURST`): a send that woke a little late
(the event loop's timers are never exact) is made up by the next one instead of being lost, so
the outbox keeps the full 30/s when nobody is answered; with replies arriving it yields to them
after at most that one banked message. Paid broadcasts (allow_paid_broadcast) do not count
against the free 30/s: they skip the budget and go at the outbox's own paid cap.
"""

import asyncio
from collections import Counter, deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from telegram._utils.types import JSONDict
from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter

from services.outbox.lane import in_outbox

# Telegram's flood limit counts messages: new ones and edits.
_COUNTED_PREFIXES = ("send", "edit", "copyMessage", "forwardMessage")


class SharedBudget:
    """A token bucket both kinds of traffic draw from; replies may overdraw it."""

    def __init__(self, per_second: float, burst: float = 1.0) -> None:
        self.per_second = per_second
        self.burst = burst
        self._tokens = burst
        self._updated: float | None = None

    def _refill(self, now: float) -> None:
        if self._updated is not None:
            self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.per_second)
        self._updated = now

    def spend(self, now: float) -> None:
        self._refill(now)
        self._tokens -= 1

    def wait_time(self, now: float) -> float:
        """Seconds until a yielding sender may go (0: take a token now)."""
        self._refill(now)
        if self._tokens >= 1:
            self._tokens -= 1
            return 0.0
        return (1 - self._tokens) / self.per_second


# Who sent: a reply to an update, the outbox in the free budget, the outbox paying.
LANES = ("reply", "outbox", "paid")
# How far back `SendCounts.outbox_rate` looks.
RATE_WINDOW_SECONDS = 10.0


@dataclass
class SendCounts:
    """What went through the limiter, by lane (LANES), for /metrics."""

    sent: Counter[str] = field(default_factory=Counter)
    flood_refusals: Counter[str] = field(default_factory=Counter)
    flood_wait_seconds: dict[str, float] = field(default_factory=lambda: dict.fromkeys(LANES, 0.0))
    # Time outbox sends spent waiting for what the replies left of the budget.
    yielded_seconds: float = 0.0
    _outbox_times: deque[float] = field(default_factory=lambda: deque(maxlen=10_000))

    def outbox_rate(self, now: float) -> float:
        """Outbox messages per second over the last RATE_WINDOW_SECONDS (loop time)."""
        times = self._outbox_times
        while times and times[0] < now - RATE_WINDOW_SECONDS:
            times.popleft()
        return len(times) / RATE_WINDOW_SECONDS


# Telegram's free limit per bot, shared by replies and the outbox.
BUDGET_PER_SECOND = 30.0
BURST = 2.0


class InteractiveFirstLimiter(AIORateLimiter):
    def __init__(
        self, *, budget_per_second: float = BUDGET_PER_SECOND, burst: float = BURST, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.budget = SharedBudget(budget_per_second, burst)
        self.counts = SendCounts()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        if not endpoint.startswith(_COUNTED_PREFIXES):
            return await super().process_request(
                callback, args, kwargs, endpoint, data, rate_limit_args
            )
        loop = asyncio.get_running_loop()
        lane = "outbox" if in_outbox() else "reply"
        if data.get("allow_paid_broadcast"):
            lane = "paid"
        elif lane == "outbox":
            await self._wait_for_budget(loop)
        else:
            self.budget.spend(loop.time())
        counts = self.counts

        async def counted(*call_args: Any, **call_kwargs: Any) -> bool | JSONDict | list[JSONDict]:
            try:
                result = await callback(*call_args, **call_kwargs)
            except RetryAfter as exc:
                counts.flood_refusals[lane] += 1
                wait = exc.retry_after
                counts.flood_wait_seconds[lane] += (
                    wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
                )
                raise
            counts.sent[lane] += 1
            if lane != "reply":
                counts._outbox_times.append(loop.time())
            return result

        return await super().process_request(counted, args, kwargs, endpoint, data, rate_limit_args)

    async def _wait_for_budget(self, loop: asyncio.AbstractEventLoop) -> None:
        started = loop.time()
        wait = self.budget.wait_time(started)
        # Replies sent meanwhile overdraw the budget again: look again after each wait.
        while wait > 0:
            await asyncio.sleep(wait)
            wait = self.budget.wait_time(loop.time())
        self.counts.yielded_seconds += loop.time() - started
