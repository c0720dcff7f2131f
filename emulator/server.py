"""The emulator server: the aiohttp app, token and method routing, injected failures.

A loopback Telegram Bot API for tests, benchmarks and the console demo: an aiohttp
server on 127.0.0.1 that speaks enough of the Bot API for the real
``telegram.ext.Application`` (via PTB's own HTTPXRequest and long polling) to run
against it.  Point the bot at it with::

    ApplicationBuilder().token(TOKEN)
        .base_url(emu.bot_base_url)            # f"{emu.base_url}/bot"
        .base_file_url(emu.file_base_url)      # f"{emu.base_url}/file/bot"

Tests and the demo act as users through the Python control API (``send_text``,
``press_button`` ...) and read what the bot sent (``sent_messages``,
``wait_for_message``).  A thin HTTP mirror lives under ``/control/`` for other
processes.  It is deliberately independent of ``telegram``: it only deals in
Bot-API-shaped JSON dicts.  Not thread-safe: use it from one event loop.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from functools import cached_property
from http import HTTPStatus
from typing import Any, Self

from aiohttp import web

from emulator.api.answers import AnswersApi
from emulator.api.commands import CommandsApi
from emulator.api.edits import EditsApi
from emulator.api.messages import MessagesApi
from emulator.api.updates import UpdatesApi
from emulator.http_control import HttpControl
from emulator.params import Params, read_params
from emulator.records import EmulatorError
from emulator.snapshot import Snapshots
from emulator.state import InjectedFailure
from emulator.wire import ApiError, JSONDict, envelope, error_response

_LOGGER = logging.getLogger(__name__)

ApiMethod = Callable[[Params], Awaitable[Any]]


class BotApiEmulator(
    HttpControl, Snapshots, UpdatesApi, CommandsApi, MessagesApi, EditsApi, AnswersApi
):
    """Fake Bot API server plus a control API to act as users and inspect bot output.

    Flood control: ``rate_limit_per_second`` (global) and
    ``per_chat_rate_limit_per_second`` limit sends and edits with 429 answers; both
    default to None (unlimited) and may be changed at any time.  ``per_chat_burst`` lets a
    private chat take that many messages at once before the per-chat rate applies (Telegram
    "may allow short bursts"; default 1, i.e. strictly one per second).  Message length is
    counted in UTF-16 code units after HTML parsing, as Telegram does.
    """

    _runner: web.AppRunner | None = None

    @cached_property
    def _methods(self) -> dict[str, ApiMethod]:
        return {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "setWebhook": self._set_webhook,
            "logOut": self._true,
            "close": self._true,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "setMyDescription": self._bot_text_setter("description"),
            "getMyDescription": self._bot_text_getter("description"),
            "setMyShortDescription": self._bot_text_setter("short_description"),
            "getMyShortDescription": self._bot_text_getter("short_description"),
            "setMyName": self._bot_text_setter("name"),
            "getMyName": self._bot_text_getter("name"),
            "setChatMenuButton": self._set_chat_menu_button,
            "getChatMenuButton": self._get_chat_menu_button,
            "getChat": self._get_chat,
            "getFile": self._get_file,
            "sendMessage": self._send_message,
            "sendDocument": self._send_document,
            "sendPhoto": self._send_photo,
            "sendLocation": self._send_location,
            "sendChatAction": self._send_chat_action,
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "answerInlineQuery": self._answer_inline_query,
        }

    @cached_property
    def _method_names(self) -> dict[str, str]:
        # Bot API method names are case-insensitive.
        return {name.lower(): name for name in self._methods}

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *_exc_info: object) -> None:
        await self.stop()

    async def start(self) -> None:
        """Bind and serve; ``port`` is updated with the real port."""
        if self._runner is not None:
            raise EmulatorError("emulator already started")
        self._closing = False
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._add_control_routes(app)
        # handler_cancellation drops a long poll whose client went away (PTB cancels
        # getUpdates on stop); the short shutdown_timeout bounds stop().
        runner = web.AppRunner(
            app, handler_cancellation=True, shutdown_timeout=2.0, access_log=None
        )
        await runner.setup()
        site = web.TCPSite(runner, self.host, self._requested_port)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        address = runner.addresses[0]
        self.port = int(address[1])
        _LOGGER.debug("Bot API emulator listening on %s", self.base_url)

    async def stop(self) -> None:
        """Answer pending long polls and shut the server down."""
        runner, self._runner = self._runner, None
        if runner is None:
            return
        self._closing = True
        self._updates_signal.notify()
        await self._stop_webhook()
        await runner.cleanup()

    @property
    def base_url(self) -> str:
        """Server root, e.g. ``http://127.0.0.1:12345``."""
        if self._runner is None:
            raise EmulatorError("emulator not started")
        return f"http://{self.host}:{self.port}"

    @property
    def bot_base_url(self) -> str:
        """Value for ``ApplicationBuilder.base_url`` (PTB appends the token)."""
        return f"{self.base_url}/bot"

    @property
    def file_base_url(self) -> str:
        """Value for ``ApplicationBuilder.base_file_url`` (PTB appends the token)."""
        return f"{self.base_url}/file/bot"

    def fail_next(
        self,
        method: str,
        status: int = 502,
        *,
        description: str | None = None,
        retry_after: int | None = None,
        delay: float = 0.0,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` calls of ``method`` fail without taking effect.

        429 gets ``parameters.retry_after`` (default 1); ``delay`` holds the answer back
        that many seconds first, to provoke client-side timeouts.
        """
        canonical = self._method_names.get(method.lower(), method)
        parameters: JSONDict | None = None
        if status == HTTPStatus.TOO_MANY_REQUESTS:
            retry_after = retry_after or 1
            parameters = {"retry_after": retry_after}
            description = description or f"Too Many Requests: retry after {retry_after}"
        elif retry_after is not None:
            parameters = {"retry_after": retry_after}
        if description is None:
            try:
                description = HTTPStatus(status).phrase
            except ValueError:
                description = f"Error {status}"
            if status == HTTPStatus.BAD_REQUEST:
                description = "Bad Request: injected failure"
        failure = InjectedFailure(status, description, parameters, delay, times)
        self._failures.setdefault(canonical, []).append(failure)

    def clear_failures(self) -> None:
        """Forget every injected failure not yet used up."""
        self._failures.clear()

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            return error_response(ApiError(401, "Unauthorized"))
        requested = request.match_info["method"]
        method = self._method_names.get(requested.lower(), requested)
        try:
            data = await read_params(request)
        except ApiError as error:
            return error_response(error)
        self.calls.append((method, data))
        handler = self._methods.get(method)
        if handler is None:
            return error_response(ApiError(404, "Not Found"))
        failures = self._failures.get(method)
        if failures:
            failure = failures[0]
            failure.remaining -= 1
            if failure.remaining <= 0:
                failures.pop(0)
            if failure.delay:
                await asyncio.sleep(failure.delay)
            return error_response(ApiError(failure.status, failure.description, failure.parameters))
        try:
            result = await handler(Params(data))
        except ApiError as error:
            _LOGGER.debug("%s -> %s %s", method, error.status, error.description)
            return error_response(error)
        return envelope(result)

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            raise web.HTTPUnauthorized()
        stored = self._file_paths.get(request.match_info["path"])
        if stored is None or stored.data is None:
            raise web.HTTPNotFound()
        return web.Response(
            body=stored.data, content_type=stored.mime_type or "application/octet-stream"
        )
