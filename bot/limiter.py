"""Interactive replies before broadcasts: one budget for everything the bot sends.

PTB's AIORateLimiter keeps the bot under Telegram's ~30 messages/s, but it serves requests in
arrival order: while the outbox sends 25/s, a burst of replies to people checking in at a
meeting would queue behind it. This limiter keeps AIORateLimiter's work (overall and group
limits, retrying 429s) and adds a budget of `budget_per_second` messages shared by both kinds
of traffic: a reply spends from it at once, even into debt; an outbox message (sent from a task
running in `outbox_context()`) waits until the budget has a message to spare. The outbox thus
sends min(its own pace, budget - replies) per second and replies never wait for it.
"""

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from telegram._utils.types import JSONDict
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


class InteractiveFirstLimiter(AIORateLimiter):
    def __init__(self, *, budget_per_second: float = 29.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.budget = SharedBudget(budget_per_second)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        if endpoint.startswith(_COUNTED_PREFIXES):
            loop = asyncio.get_running_loop()
            if in_outbox():
                await self._wait_for_budget(loop)
            else:
                self.budget.spend(loop.time())
        return await super().process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args
        )

    async def _wait_for_budget(self, loop: asyncio.AbstractEventLoop) -> None:
        wait = self.budget.wait_time(loop.time())
        # Replies sent meanwhile overdraw the budget again: look again after each wait.
        while wait > 0:
            await asyncio.sleep(wait)
            wait = self.budget.wait_time(loop.time())
