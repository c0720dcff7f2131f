"""Webhook mode: Telegram posts updates to our HTTP app (bot.web) instead of being polled.

As in PTB's examples/customwebhookbot/starlettebot.py, the Application runs without an
Updater and the route puts each update on its update_queue: the route answers at once and the
update is handled after. Telegram repeats a delivery it saw no 2xx for, so each update_id is
recorded in the database before it is accepted and a repeat is answered 200 and dropped;
records older than a day (Telegram keeps an update no longer) are pruned now and then.
An update whose id cannot be recorded (database down) is answered 503: Telegram tries again.
"""

import hmac
import json
import logging
import time
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import Response
from telegram import Update

from bot.metrics import Metrics
from bot.runner import ALLOWED_UPDATES, running
from bot.standing import Standing
from handlers.context import GridApplication
from models import webhook as queries
from models.db import transaction

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram keeps an undelivered update for 24 hours: a repeat can come no later.
KEEP_SEEN = timedelta(hours=25)
PRUNE_EVERY_SECONDS = 600.0


class WebhookReceiver:
    """The Starlette endpoint for Telegram's POSTs."""

    def __init__(
        self,
        app: GridApplication,
        *,
        secret: str,
        standing: Standing,
        metrics: Metrics | None = None,
    ) -> None:
        self._app = app
        self._secret = secret.encode()
        self._standing = standing
        self._metrics = metrics
        self._next_prune = 0.0

    def _count(self, outcome: str) -> None:
        if self._metrics is not None:
            self._metrics.webhook.labels(outcome).inc()

    async def handle(self, request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            self._count("refused")
            return Response(status_code=403)
        if not self._standing.active or not self._app.bot_data.started:
            # Not ours to handle now: Telegram delivers again, the proxy to the active one.
            self._count("unavailable")
            return Response(status_code=503)
        try:
            data = json.loads(await request.body())
        except ValueError:
            self._count("malformed")
            return Response(status_code=400)
        update_id = data.get("update_id") if isinstance(data, dict) else None
        if not isinstance(update_id, int):
            self._count("malformed")
            return Response(status_code=400)
        try:
            fresh = await self._record(update_id)
        except (SQLAlchemyError, OSError):
            log.exception("webhook: could not record update %s", update_id)
            self._count("unavailable")
            return Response(status_code=503)
        if not fresh:
            log.info("webhook: update %s delivered again, ignored", update_id)
            self._count("duplicate")
            return Response(status_code=200)
        await self._app.update_queue.put(Update.de_json(data, self._app.bot))
        self._count("accepted")
        return Response(status_code=200)

    async def _record(self, update_id: int) -> bool:
        now = datetime.now(UTC)
        async with transaction(self._app.bot_data.sessions) as session:
            fresh = await queries.record_update(session=session, update_id=update_id, now=now)
            if time.monotonic() >= self._next_prune:
                self._next_prune = time.monotonic() + PRUNE_EVERY_SECONDS
                await queries.prune_updates(session=session, before=now - KEEP_SEEN)
        return fresh


def webhook(
    app: GridApplication, *, url: str, secret: str
) -> AbstractAsyncContextManager[GridApplication]:
    """The Application started with Telegram told to post to `url`. The webhook is left set
    on stop: Telegram holds the updates until this or another instance answers again."""

    async def start(app: GridApplication) -> None:
        await app.bot.set_webhook(url=url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)
        log.info("webhook set: %s", url)

    async def stop(_app: GridApplication) -> None:
        """Nothing to stop: the HTTP app's route stops with it."""

    return running(app, start_receiving=start, stop_receiving=stop)
