"""The control API mirrored over HTTP under ``/control/``, for other processes."""

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

from aiohttp import web

from emulator.control import ControlApi
from emulator.limits import MAX_POLL_TIMEOUT
from emulator.params import INT_RE
from emulator.records import EmulatorError
from emulator.wire import JSONDict, envelope


class HttpControl(ControlApi):
    """Routes that call the control API and answer JSON (400 for misuse)."""

    def _add_control_routes(self, app: web.Application) -> None:
        app.router.add_post("/control/users/{id}", self._control_user)
        app.router.add_post("/control/users/{id}/text", self._control_text)
        app.router.add_post("/control/users/{id}/press", self._control_press)
        app.router.add_post("/control/users/{id}/location", self._control_location)
        app.router.add_post("/control/users/{id}/contact", self._control_contact)
        app.router.add_post("/control/users/{id}/reply_button", self._control_reply_button)
        app.router.add_post("/control/users/{id}/block", self._control_block)
        app.router.add_post("/control/users/{id}/unblock", self._control_unblock)
        app.router.add_get("/control/chats/{id}/messages", self._control_messages)
        app.router.add_get("/control/callback_answers", self._control_answers)

    @staticmethod
    async def _control_body(request: web.Request) -> JSONDict:
        if not request.can_read_body:
            return {}
        try:
            body = await request.json()
        except ValueError:
            raise EmulatorError("request body must be JSON") from None
        if not isinstance(body, dict):
            raise EmulatorError("request body must be a JSON object")
        return body

    @staticmethod
    def _control_id(request: web.Request) -> int:
        raw = request.match_info["id"]
        if not INT_RE.fullmatch(raw):
            raise EmulatorError(f"bad id {raw!r}")
        return int(raw)

    async def _control(
        self, request: web.Request, action: Callable[[int, JSONDict], Any]
    ) -> web.Response:
        """Run a control action; EmulatorError and bad input become 400 JSON errors."""
        try:
            result = action(self._control_id(request), await self._control_body(request))
            if asyncio.iscoroutine(result):
                result = await result
        except (EmulatorError, KeyError, TypeError, ValueError) as exc:
            return web.json_response({"ok": False, "description": str(exc)}, status=400)
        return envelope(result)

    async def _control_user(self, request: web.Request) -> web.Response:
        def action(user_id: int, body: JSONDict) -> JSONDict:
            return self.user(
                user_id,
                body.get("first_name"),
                username=body.get("username"),
                last_name=body.get("last_name"),
                language_code=body.get("language_code"),
                phone_number=body.get("phone_number"),
            ).to_dict()

        return await self._control(request, action)

    async def _control_text(self, request: web.Request) -> web.Response:
        return await self._control(
            request,
            lambda user_id, body: self.send_text(
                user_id, str(body["text"]), reply_to_message_id=body.get("reply_to_message_id")
            ),
        )

    async def _control_press(self, request: web.Request) -> web.Response:
        async def action(user_id: int, body: JSONDict) -> JSONDict:
            query_id = await self.press_button(
                user_id,
                int(body["message_id"]),
                str(body["callback_data"]),
                forge=bool(body.get("forge", False)),
            )
            return {"callback_query_id": query_id}

        return await self._control(request, action)

    async def _control_location(self, request: web.Request) -> web.Response:
        return await self._control(
            request,
            lambda user_id, body: self.share_location(
                user_id, float(body["latitude"]), float(body["longitude"])
            ),
        )

    async def _control_contact(self, request: web.Request) -> web.Response:
        return await self._control(
            request,
            lambda user_id, body: self.send_contact(
                user_id,
                body.get("phone_number"),
                own=bool(body.get("own", True)),
                contact_user_id=body.get("contact_user_id"),
                first_name=body.get("first_name"),
                forwarded_from=body.get("forwarded_from"),
            ),
        )

    async def _control_reply_button(self, request: web.Request) -> web.Response:
        return await self._control(
            request, lambda user_id, body: self.press_reply_button(user_id, str(body["text"]))
        )

    async def _control_block(self, request: web.Request) -> web.Response:
        def action(user_id: int, _body: JSONDict) -> bool:
            self.block(user_id)
            return True

        return await self._control(request, action)

    async def _control_unblock(self, request: web.Request) -> web.Response:
        def action(user_id: int, _body: JSONDict) -> bool:
            self.unblock(user_id)
            return True

        return await self._control(request, action)

    async def _control_messages(self, request: web.Request) -> web.Response:
        """Messages changed after ``?after=SEQ``; ``?timeout=S`` long-polls for one."""

        async def action(chat_id: int, _body: JSONDict) -> list[JSONDict]:
            after = int(request.query.get("after", "0"))
            timeout = min(float(request.query.get("timeout", "0")), MAX_POLL_TIMEOUT)
            if timeout > 0:
                with contextlib.suppress(TimeoutError):
                    await self.wait_for_message(
                        chat_id, predicate=lambda _m: True, timeout=timeout, after=after
                    )
            return [m.to_json() for m in self.sent_messages(chat_id) if m.seq > after]

        return await self._control(request, action)

    async def _control_answers(self, _request: web.Request) -> web.Response:
        return envelope(
            [
                {
                    "callback_query_id": a.callback_query_id,
                    "text": a.text,
                    "show_alert": a.show_alert,
                    "url": a.url,
                    "cache_time": a.cache_time,
                }
                for a in self.callback_answers
            ]
        )
