"""Bot API call parameters: decoding PTB's JSON, form and multipart requests, typed access."""

import json
import re
from typing import Any

from aiohttp import BodyPartReader, web

from emulator.records import UploadedFile
from emulator.wire import JSONDict, bad_request, words

# Form/multipart values arrive as strings; these carry JSON-serialised objects.
_JSON_FIELDS = words(
    "reply_markup scope commands allowed_updates entities caption_entities "
    "link_preview_options reply_parameters menu_button rights media results options button"
)
_INT_FIELDS = words(
    "chat_id user_id message_id offset limit reply_to_message_id message_thread_id "
    "cache_time live_period heading proximity_alert_radius"
)
_FLOAT_FIELDS = frozenset({"latitude", "longitude", "horizontal_accuracy", "timeout"})
_BOOL_FIELDS = words(
    "disable_notification protect_content show_alert drop_pending_updates "
    "disable_web_page_preview allow_sending_without_reply "
    "disable_content_type_detection has_spoiler show_caption_above_media "
    "allow_paid_broadcast for_channels"
)
INT_RE = re.compile(r"-?\d+")


class Params:
    """Decoded Bot API call parameters with Telegram-style validation errors."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def raw(self, name: str) -> Any:
        return self.data.get(name)

    def opt_str(self, name: str) -> str | None:
        value = self.data.get(name)
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        raise bad_request(f'field "{name}" must be of type String')

    def opt_int(self, name: str) -> int | None:
        value = self.data.get(name)
        if value is None:
            return None
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and INT_RE.fullmatch(value.strip()):
            return int(value)
        raise bad_request(f'field "{name}" must be of type Integer')

    def req_int(self, name: str) -> int:
        value = self.opt_int(name)
        if value is None:
            raise bad_request(f"{name} is empty")
        return value

    def opt_float(self, name: str) -> float | None:
        value = self.data.get(name)
        if value is None:
            return None
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value)
            except ValueError:
                pass
        raise bad_request(f'field "{name}" must be of type Float')

    def req_float(self, name: str) -> float:
        value = self.opt_float(name)
        if value is None:
            raise bad_request(f"{name} is empty")
        return value

    def opt_bool(self, name: str) -> bool:
        value = self.data.get(name)
        if value is None:
            return False
        if isinstance(value, bool):
            return value
        if isinstance(value, int):
            return value != 0
        if isinstance(value, str) and value.lower() in {"true", "false", "1", "0"}:
            return value.lower() in {"true", "1"}
        raise bad_request(f'field "{name}" must be of type Boolean')

    def opt_json(self, name: str, kind: type[dict[Any, Any]] | type[list[Any]]) -> Any:
        value = self.data.get(name)
        if value is None:
            return None
        if not isinstance(value, kind):
            raise bad_request(f"can't parse {name} JSON object")
        return value

    def chat_id(self) -> int:
        value = self.data.get("chat_id")
        if value is None or value == "":
            raise bad_request("chat_id is empty")
        if isinstance(value, str) and not INT_RE.fullmatch(value.strip()):
            # "@channelusername": the emulator only knows private chats.
            raise bad_request("chat not found")
        return self.req_int("chat_id")


def _normalize(name: str, value: Any) -> Any:
    """Undo PTB's form encoding: JSON objects, numbers and booleans arrive as strings."""
    if not isinstance(value, str):
        return value
    if name in _JSON_FIELDS:
        try:
            return json.loads(value)
        except ValueError:
            return value
    if name in _INT_FIELDS and INT_RE.fullmatch(value):
        return int(value)
    if name in _FLOAT_FIELDS:
        try:
            return float(value)
        except ValueError:
            return value
    if name in _BOOL_FIELDS and value in {"true", "false"}:
        return value == "true"
    return value


def scope_key(scope: JSONDict | None) -> tuple[str, int | str | None, int | None]:
    """Hashable identity of a BotCommandScope dict."""
    if not scope:
        return ("default", None, None)
    if not isinstance(scope, dict) or not isinstance(scope.get("type"), str):
        raise bad_request("can't parse BotCommandScope JSON object")
    chat_id = scope.get("chat_id")
    if isinstance(chat_id, str) and INT_RE.fullmatch(chat_id):
        chat_id = int(chat_id)
    user_id = scope.get("user_id")
    return (scope["type"], chat_id, int(user_id) if user_id is not None else None)


async def read_params(request: web.Request) -> dict[str, Any]:
    """The call's parameters, decoded; uploaded files as UploadedFile values."""
    params: dict[str, Any] = dict(request.query)
    files: dict[str, UploadedFile] = {}
    content_type = request.content_type
    if request.method == "POST" and request.can_read_body:
        if content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                raise bad_request("can't parse JSON request body") from None
            if not isinstance(body, dict):
                raise bad_request("request body must be a JSON object")
            params.update(body)
        elif content_type == "multipart/form-data":
            reader = await request.multipart()
            while (part := await reader.next()) is not None:
                if not isinstance(part, BodyPartReader) or part.name is None:
                    continue
                payload = await part.read(decode=True)
                if part.filename is not None:
                    files[part.name] = UploadedFile(
                        part.filename, part.headers.get("Content-Type"), bytes(payload)
                    )
                else:
                    try:
                        params[part.name] = bytes(payload).decode("utf-8")
                    except UnicodeDecodeError:
                        raise bad_request(f"{part.name} is not valid UTF-8") from None
        else:
            form = await request.post()
            params.update({key: value for key, value in form.items() if isinstance(value, str)})
    decoded = {name: _normalize(name, value) for name, value in params.items()}
    for name, value in list(decoded.items()):
        if isinstance(value, str) and value.startswith("attach://"):
            attached = files.pop(value.removeprefix("attach://"), None)
            if attached is None:
                raise bad_request(f"file {value} not found in the request")
            decoded[name] = attached
    decoded.update(files)
    return decoded
