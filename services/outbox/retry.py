"""How long a failed send waits before it is tried again, and when the outbox gives up."""

from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    """Backoff for failures that may pass (network errors, 5xx): by default 6 attempts spread
    over about two minutes (waits of 4, 8, 16, 32 and 60 s). Flood waits are not attempts."""

    max_attempts: int = 6
    first_delay: float = 4.0
    factor: float = 2.0
    max_delay: float = 60.0

    def delay(self, attempts: int) -> float | None:
        """Seconds to wait after `attempts` failed attempts; None once they are used up."""
        if attempts >= self.max_attempts:
            return None
        return min(self.max_delay, self.first_delay * self.factor ** max(0, attempts - 1))
