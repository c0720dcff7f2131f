"""When the next message may go out: Telegram's rate per bot and per chat, and its flood waits."""

import asyncio
import bisect
import math

# Default pace: Telegram allows about 30 messages per second per bot and one per second in a
# private chat. The outbox may use all 30: the shared budget (bot/limiter.py) makes it yield
# whatever interactive replies take of them.
RATE_PER_SECOND = 30.0
CHAT_INTERVAL_SECONDS = 1.0


class Pacer:
    """When the next message may start: at most `rate` per second overall, one per
    `chat_interval` seconds in any one chat, and nothing while Telegram asked us to wait.

    Pure bookkeeping on a caller-supplied monotonic clock; `reserve` books the slot it returns.
    Booked slots are at least 1/`rate` apart, and a message takes the first free slot at or
    after the moment its chat allows: spaced from the slots already booked, not from when a
    sender woke up (sleep latency does not drag the sustained rate below `rate`), and a
    message held back by its own chat never holds back the others (a busy instructor's chat
    must not stall a city-wide notice).
    """

    # Forget per-chat bookings once this many accumulate; old ones no longer constrain anything.
    PRUNE_AT = 10_000

    def __init__(
        self, *, rate: float = RATE_PER_SECOND, chat_interval: float = CHAT_INTERVAL_SECONDS
    ) -> None:
        if rate <= 0 or chat_interval < 0:
            raise ValueError("rate must be positive and chat_interval not negative")
        self.spacing = 1.0 / rate
        self.chat_interval = chat_interval
        self.paused_until = -math.inf
        # Start times booked, in order.
        self._booked: list[float] = []
        self._next_in_chat: dict[int, float] = {}

    def reserve(self, chat_id: int, now: float) -> float:
        """Book and return the earliest start for a message to `chat_id` (>= now)."""
        earliest = max(now, self.paused_until, self._next_in_chat.get(chat_id, -math.inf))
        # Slots over by now no longer constrain anything (and give no burst credit).
        self._booked = [slot for slot in self._booked if slot > now - self.spacing]
        start = earliest
        for slot in self._booked:  # sorted; at most the messages in flight
            if slot + self.spacing <= start:
                continue
            if slot >= start + self.spacing:
                break
            start = slot + self.spacing
        bisect.insort(self._booked, start)
        self._next_in_chat[chat_id] = start + self.chat_interval
        if len(self._next_in_chat) > self.PRUNE_AT:
            self._next_in_chat = {c: t for c, t in self._next_in_chat.items() if t > now}
        return start

    def finished(self, chat_id: int, now: float) -> None:
        """A send to `chat_id` got its answer at `now`: the chat's next message starts no
        earlier than `chat_interval` after it. A slot is only when a send may start; a send
        held up on the way (the shared budget, a loaded machine, a slow network) reaches
        Telegram later, and the chat's next message must still arrive a full interval after
        it, as Telegram counts."""
        self._next_in_chat[chat_id] = max(
            self._next_in_chat.get(chat_id, -math.inf), now + self.chat_interval
        )

    def pause(self, until: float) -> None:
        """Hold every send until `until`: Telegram's flood limit counts for the whole bot."""
        self.paused_until = max(self.paused_until, until)


class Gate:
    """The pacer on the event loop's clock: waits for a message's slot."""

    def __init__(self, pacer: Pacer) -> None:
        self._pacer = pacer

    async def wait_turn(self, chat_id: int) -> None:
        loop = asyncio.get_running_loop()
        while True:
            start = self._pacer.reserve(chat_id, loop.time())
            await asyncio.sleep(max(0.0, start - loop.time()))
            if start >= self._pacer.paused_until:
                return
            # A flood wait began after this slot was booked: book again behind it.

    def finished(self, chat_id: int) -> None:
        self._pacer.finished(chat_id, asyncio.get_running_loop().time())

    def pause(self, seconds: float) -> None:
        self._pacer.pause(asyncio.get_running_loop().time() + seconds)

    def paused(self) -> bool:
        """Whether Telegram's last flood wait still holds every send."""
        return self._pacer.paused_until > asyncio.get_running_loop().time()
