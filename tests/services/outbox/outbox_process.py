"""A bot process for the crash tests: the real Application against the emulator and a test
database, run with
`python -m tests.services.outbox.outbox_process --database-url ... --api-base-url ...`.

Killed with SIGKILL by the test; SIGTERM/SIGINT stop it cleanly (run_polling handles them).
"""

import argparse
import logging
from datetime import timedelta

from telegram.ext import AIORateLimiter

from bot.app import build_application
from bot.runner import ALLOWED_UPDATES
from core.settings import load_settings
from services.outbox.worker import OutboxConfig


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--api-base-url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--rate", type=float, default=25.0)
    parser.add_argument("--lease", type=float, default=60.0)
    parser.add_argument(
        "--no-flood-limit",
        action="store_true",
        help="lift the Application's 30/s limiter so a crash test need not last 20 s",
    )
    args = parser.parse_args()
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    settings = load_settings(
        token=args.token, database_url=args.database_url, api_base_url=args.api_base_url
    )
    config = OutboxConfig(
        rate_per_second=args.rate, lease=timedelta(seconds=args.lease), poll_interval=0.1
    )
    app = build_application(settings, outbox=config)
    if args.no_flood_limit:
        # Same limiter (it still retries 429s), minus the overall 30/s cap; ExtBot has no
        # public setter and the product never needs one.
        app.bot._rate_limiter = AIORateLimiter(overall_max_rate=0, max_retries=3)
    app.run_polling(allowed_updates=ALLOWED_UPDATES, poll_interval=0.0, timeout=1)


if __name__ == "__main__":
    main()
