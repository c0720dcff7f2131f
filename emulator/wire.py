"""What travels over the Bot API: JSON objects and Telegram-shaped answers."""

from typing import Any

from aiohttp import web

JSONDict = dict[str, Any]


def words(text: str) -> frozenset[str]:
    """The set of whitespace-separated names in ``text``."""
    return frozenset(text.split())


class ApiError(Exception):
    """A Telegram-shaped error answer for the current Bot API call."""

    def __init__(self, status: int, description: str, parameters: JSONDict | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def envelope(self) -> JSONDict:
        """Bot API error body."""
        body: JSONDict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(detail: str) -> ApiError:
    """A 400 answer worded like Telegram's."""
    return ApiError(400, f"Bad Request: {detail}")


def envelope(result: Any) -> web.Response:
    """A successful Bot API answer."""
    return web.json_response({"ok": True, "result": result})


def error_response(error: ApiError) -> web.Response:
    """The HTTP answer for ``error``."""
    return web.json_response(error.envelope(), status=error.status)
