"""Replies spend the shared budget at once; outbox sends wait for what replies leave."""

import asyncio
import random
from typing import Any

import pytest

from bot.limiter import InteractiveFirstLimiter, SharedBudget
from services.outbox.lane import outbox_context


def test_replies_may_overdraw_and_then_the_outbox_waits() -> None:
    budget = SharedBudget(per_second=10)
    assert budget.wait_time(0.0) == 0.0  # the one message of burst
    for _ in range(5):
        budget.spend(0.0)  # five replies at once: 5 messages of debt
    # The outbox waits until the debt is repaid and a message is to spare: 6 / 10 s.
    assert budget.wait_time(0.0) == 0.6
    assert budget.wait_time(0.6) == 0.0
    assert budget.wait_time(0.6) > 0


async def test_outbox_sends_yield_to_replies_and_replies_never_wait() -> None:
    limiter = InteractiveFirstLimiter(budget_per_second=20, burst=1, max_retries=0)
    await limiter.initialize()
    loop = asyncio.get_running_loop()
    sent: list[tuple[str, float]] = []

    async def call(kind: str) -> dict[str, Any]:
        sent.append((kind, loop.time()))
        return {}

    async def send(kind: str) -> None:
        await limiter.process_request(call, (kind,), {}, "sendMessage", {"chat_id": 1}, None)

    started = loop.time()
    for _ in range(10):  # a burst of replies: all go at once
        await send("reply")
    assert all(t - started < 0.3 for _kind, t in sent)
    # An outbox message now waits for the replies' debt: 10 messages at 20/s.
    outbox = asyncio.create_task(send("outbox"), context=outbox_context())
    await asyncio.sleep(0.2)
    assert [kind for kind, _t in sent].count("outbox") == 0
    await send("reply")  # a reply meanwhile is not held back behind the waiting outbox
    assert sent[-1][0] == "reply"
    await outbox
    assert sent[-1][0] == "outbox"
    assert sent[-1][1] - started >= 0.5
    # Calls that are not messages (answerCallbackQuery, getUpdates) do not count.
    await limiter.process_request(call, ("x",), {}, "answerCallbackQuery", {}, None)
    await limiter.shutdown()


def outbox_send_times(budget: SharedBudget, arrivals: list[float]) -> list[float]:
    """When outbox messages arriving at `arrivals` go, each waiting as the limiter waits."""
    sent = []
    for arrival in arrivals:
        now = arrival
        wait = budget.wait_time(now)
        while wait > 0:
            now += wait + 0.0005  # a timer never fires exactly on time
            wait = budget.wait_time(now)
        sent.append(now)
    return sent


def test_the_outbox_keeps_the_whole_budget_although_its_timers_fire_late() -> None:
    # The pacer books slots 1/30 s apart; each send wakes up to 2 ms late, at random.
    rng = random.Random(3)
    slots = [i / 30 for i in range(3000)]
    arrivals = [slot + rng.uniform(0, 0.002) for slot in slots]
    banked = outbox_send_times(SharedBudget(30, burst=2), arrivals)
    assert (len(banked) - 1) / (banked[-1] - banked[0]) > 29.9
    # Without the banked message every late wake-up would be lost for good.
    unbanked = outbox_send_times(SharedBudget(30, burst=1), arrivals)
    assert (len(unbanked) - 1) / (unbanked[-1] - unbanked[0]) < 29.6


@pytest.mark.parametrize("replies", [1, 3, 10])
def test_the_outbox_yields_to_replies_within_one_message(replies: int) -> None:
    budget = SharedBudget(30, burst=2)
    # The outbox alone for a second at full pace (its slots 1/30 s apart), then replies come.
    alone = outbox_send_times(budget, [i / 30 for i in range(30)])
    assert alone[-1] == pytest.approx(29 / 30)
    start = 1.0
    for _ in range(replies):
        budget.spend(start)
    # In the next second the outbox sends what the replies left, plus at most the one message
    # the budget had banked.
    sent = outbox_send_times(budget, [start + i / 30 for i in range(30)])
    in_second = sum(1 for t in sent if t < start + 1)
    assert 30 - replies <= in_second <= 30 - replies + 1


async def test_paid_broadcasts_skip_the_free_budget() -> None:
    limiter = InteractiveFirstLimiter(budget_per_second=1, burst=1, max_retries=0)
    await limiter.initialize()
    loop = asyncio.get_running_loop()

    async def call(*_args: Any) -> dict[str, Any]:
        return {}

    async def paid() -> None:
        data = {"chat_id": 1, "allow_paid_broadcast": True}
        await limiter.process_request(call, (), {}, "sendMessage", data, None)

    started = loop.time()
    for _ in range(20):  # far beyond the 1/s budget: none of them waits for it
        await asyncio.create_task(paid(), context=outbox_context())
    assert loop.time() - started < 0.5
    assert limiter.counts.sent["paid"] == 20
    assert limiter.counts.sent["outbox"] == 0
    await limiter.shutdown()
