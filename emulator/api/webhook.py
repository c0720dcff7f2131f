"""setWebhook, deleteWebhook, getWebhookInfo, and the delivery of updates by HTTP POST.

While a webhook is set, updates are posted to its URL one at a time, in order, with the
secret in X-Telegram-Bot-Api-Secret-Token, and getUpdates answers 409 as Telegram does. An
update is delivered again until the bot answers 2xx (after `webhook_retry_seconds`; Telegram
waits longer); `redeliver` posts an update that was already answered once more, as Telegram
does when the answer got lost.
"""

import asyncio
import contextlib
import copy
import logging
import time

import aiohttp

from emulator.params import Params
from emulator.state import DEFAULT_ALLOWED_UPDATES, EmulatorState
from emulator.wire import ApiError, JSONDict, bad_request

_LOGGER = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)


class WebhookApi(EmulatorState):
    """The webhook methods and the delivery task (its state is set up in EmulatorState)."""

    def redeliver(self, update_id: int) -> None:
        """Post an update the bot already answered once more (first in line)."""
        update = self._webhook_answered.get(update_id)
        if update is None:
            raise ApiError(400, f"update {update_id} was not delivered by webhook")
        self._updates.insert(0, copy.deepcopy(update))
        self._updates_signal.notify()

    async def _set_webhook(self, p: Params) -> bool:
        url = p.opt_str("url") or ""
        if url and not url.startswith(("http://", "https://")):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        if p.opt_bool("drop_pending_updates"):
            self._updates.clear()
        allowed = p.opt_json("allowed_updates", list)
        if allowed is not None:
            self._allowed_updates = frozenset(allowed) or DEFAULT_ALLOWED_UPDATES
        self.webhook_url = url
        self.webhook_secret = p.opt_str("secret_token") or None
        # A poll in progress ends (409), as Telegram's does.
        self._poll_generation += 1
        self._updates_signal.notify()
        if url and (self._webhook_task is None or self._webhook_task.done()):
            self._webhook_task = asyncio.create_task(self._deliver_updates())
        return True

    async def _delete_webhook(self, p: Params) -> bool:
        if p.opt_bool("drop_pending_updates"):
            self._updates.clear()
        self.webhook_url = ""
        self.webhook_secret = None
        await self._stop_webhook()
        return True

    async def _get_webhook_info(self, _p: Params) -> JSONDict:
        info: JSONDict = {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self.webhook_url:
            info["max_connections"] = 40
            info["allowed_updates"] = sorted(self._allowed_updates)
        if self._webhook_error is not None:
            info["last_error_date"], info["last_error_message"] = self._webhook_error
        return info

    def _check_no_webhook(self) -> None:
        """getUpdates is refused while a webhook is set."""
        if self.webhook_url:
            raise ApiError(409, WEBHOOK_CONFLICT)

    async def _stop_webhook(self) -> None:
        task, self._webhook_task = self._webhook_task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _deliver_updates(self) -> None:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
            while self.webhook_url and not self._closing:
                self._updates = [
                    u for u in self._updates if self._type_of(u) in self._allowed_updates
                ]
                if not self._updates:
                    await self._updates_signal.wait(1.0)
                    continue
                update = self._updates[0]
                if await self._post(http, update):
                    # Only now is it gone; meanwhile updates may have been queued, a repeat
                    # even ahead of it.
                    self._updates = [u for u in self._updates if u is not update]
                    self._webhook_answered[update["update_id"]] = copy.deepcopy(update)
                else:
                    await asyncio.sleep(self.webhook_retry_seconds)

    async def _post(self, http: aiohttp.ClientSession, update: JSONDict) -> bool:
        headers = {SECRET_HEADER: self.webhook_secret} if self.webhook_secret else {}
        try:
            async with http.post(self.webhook_url, json=update, headers=headers) as answer:
                status = answer.status
        except (aiohttp.ClientError, TimeoutError) as exc:
            self.webhook_deliveries.append((update["update_id"], type(exc).__name__))
            self._webhook_error = (int(time.time()), f"Connection failed: {exc}")
            return False
        self.webhook_deliveries.append((update["update_id"], status))
        if 200 <= status < 300:
            return True
        self._webhook_error = (int(time.time()), f"Wrong response from the webhook: {status}")
        _LOGGER.debug("webhook answered %s for update %s", status, update["update_id"])
        return False

    @staticmethod
    def _type_of(update: JSONDict) -> str:
        return next((key for key in update if key != "update_id"), "")
