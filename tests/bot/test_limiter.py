"""Replies spend the shared budget at once; outbox sends wait for what replies leave."""

import asyncio
from typing import Any

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
    limiter = InteractiveFirstLimiter(budget_per_second=20, max_retries=0)
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
