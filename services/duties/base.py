"""The contract between the reminder engine and each duty. No `telegram` import.

A duty computes, for a moment `at`, every reminder whose moment has come in the periods that
matter around `at` (typically the current and the previous period). It may include ones already
sent: the engine claims each by its unique key (duty, target, period, step) in `reminder_claim`
before queueing it, so recomputing is harmless, a restart catches up, and two processes never
send the same reminder twice. The city-wide duties leave claimed reminders out in their own
queries instead (`engine.ExcludesClaimed`), so that a clock tick after everyone was reminded
builds nothing.

A reminder whose `deadline` has passed when the engine first sees it is claimed as skipped and
not sent (catch-up after downtime only sends what is still meaningful).
"""

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple, Protocol

from sqlmodel.ext.asyncio.session import AsyncSession

from core.buttons import Keyboard


class Reminder(NamedTuple):
    """One reminder. Immutable; a named tuple rather than a dataclass because a city-wide duty
    builds a hundred thousand of them per sweep (three times cheaper to build, no __dict__)."""

    duty: str  # the duty's name, e.g. "monthly_report"
    target: str  # whom/what it is about, e.g. "person:12", "grid:3", "question:7"
    period: str  # which occurrence, e.g. "2026-12", "2026Q4", "2026-12-10"
    step: str  # which reminder of the period, e.g. "d-5", "d-1", "d0", "digest", "escalate"
    person_id: int  # the recipient (the engine finds their chat; unbound -> claimed as skipped)
    text: str  # HTML, user text escaped
    due_at: datetime  # when it should go out (already moved to a working day if it must be)
    # After this it is no longer worth sending (e.g. the report deadline); None: always send.
    deadline: datetime | None = None
    buttons: Keyboard | None = None  # the message's inline keyboard (core.buttons)
    # What the message belongs to in the outbox ("question:7", "notice:12"), if anything.
    ref: str | None = None

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.duty, self.target, self.period, self.step)


class Duty(Protocol):
    """One kind of duty. `reminders` must be a pure function of the database and `at` (no
    writes), so that `gridbot duties preview --at` can show what would be sent."""

    name: str

    async def reminders(self, *, session: AsyncSession, at: datetime) -> Sequence[Reminder]:
        """Every reminder with `due_at <= at` in the periods that matter around `at`."""
        ...
