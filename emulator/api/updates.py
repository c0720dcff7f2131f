"""getMe, getChat and getUpdates (the webhook methods are in webhook.py): who the bot is and how
updates reach it."""

import asyncio
import copy

from emulator.api.webhook import WebhookApi
from emulator.limits import MAX_POLL_TIMEOUT
from emulator.params import Params
from emulator.state import DEFAULT_ALLOWED_UPDATES
from emulator.wire import ApiError, JSONDict

_CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)


class UpdatesApi(WebhookApi):
    """The bot's identity, its chats, and long polling (refused while a webhook is set)."""

    async def _true(self, _p: Params) -> bool:
        return True

    async def _get_me(self, _p: Params) -> JSONDict:
        return {
            **self._bot_user(),
            "can_join_groups": self.can_join_groups,
            "can_read_all_group_messages": self.can_read_all_group_messages,
            "supports_inline_queries": self.supports_inline_queries,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, p: Params) -> list[JSONDict]:
        self._check_no_webhook()
        offset = p.opt_int("offset")
        limit = min(max(p.opt_int("limit") or 100, 1), 100)
        timeout = min(max(p.opt_float("timeout") or 0.0, 0.0), MAX_POLL_TIMEOUT)
        allowed = p.opt_json("allowed_updates", list)
        if allowed is not None:
            self._allowed_updates = frozenset(allowed) or DEFAULT_ALLOWED_UPDATES
        if offset is not None and offset < 0:
            # Negative offset: keep only the last -offset updates, forget the rest.
            self._updates = self._updates[offset:]
        elif offset:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        # Telegram answers 409 to a poll superseded by a newer one; PTB only ever
        # overlaps polls after cancelling one, so this only ends zombie requests.
        self._poll_generation += 1
        generation = self._poll_generation
        self._updates_signal.notify()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if self._closing:
                return []
            if generation != self._poll_generation:
                self._check_no_webhook()
                raise ApiError(409, _CONFLICT)
            # Updates of types the bot did not ask for are never delivered.
            self._updates = [
                u for u in self._updates if self._update_type(u) in self._allowed_updates
            ]
            if self._updates:
                return copy.deepcopy(self._updates[:limit])
            remaining = deadline - loop.time()
            if remaining <= 0:
                return []
            await self._updates_signal.wait(remaining)

    @staticmethod
    def _update_type(update: JSONDict) -> str:
        return next((key for key in update if key != "update_id"), "")

    async def _get_chat(self, p: Params) -> JSONDict:
        user = self._chat(p.chat_id(), for_sending=False)
        return {
            **user.chat_dict(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
            },
        }
