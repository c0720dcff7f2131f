"""Whether this instance is the active one: the one that polls (or that the proxy sends
webhooks to), drains the outbox and runs the duty clock.

One process is always active. With several instances on one PostgreSQL, whatever elects the
leader sets `active`; /readyz and the `gridbot_active` metric read it, so a standby reports
503 and the proxy sends nothing its way.
"""

import time
from dataclasses import dataclass, field


@dataclass
class Standing:
    active: bool = True
    # When `active` last changed (time.time()); for the metric and the logs.
    since: float = field(default_factory=time.time)

    def set(self, active: bool) -> None:
        if active != self.active:
            self.active = active
            self.since = time.time()
