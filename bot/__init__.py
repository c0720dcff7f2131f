"""The wiring: the Application factory, its lifecycle, error handler, clock, limiter and the CLI."""

import os

# PTB 22 reads its own deprecated integer time periods (RetryAfter.retry_after in its __init__)
# and warns unless told to use timedelta already; set it before anything imports telegram.
os.environ.setdefault("PTB_TIMEDELTA", "1")
