"""The sandbox's JSON API over the chats (bot.sandbox.chats), with server-sent events for live
updates; served under /api/ by bot.sandbox.front (which serves the page), on 127.0.0.1 only."""

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, unquote

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import (
    JSONResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Route

from bot.sandbox.chats import VENUES, Chats
from bot.sandbox.clock import DutyClock
from emulator import EmulatorError

# A comment line keeps idle event streams (and proxies) from timing out.
KEEPALIVE_SECONDS = 15.0
# What one upload from the page may weigh (Telegram's limit for bots fetching a file).
MAX_UPLOAD_BYTES = 20 * 1024 * 1024

Handler = Callable[[Request], Awaitable[Response]]


def _refusing(handler: Callable[[Request], Awaitable[Any]]) -> Handler:
    """JSON out; misuse (an unknown person, a bad body) is a 400 the page shows."""

    async def route(request: Request) -> Response:
        try:
            result = await handler(request)
        except (EmulatorError, KeyError, TypeError, ValueError) as exc:
            return JSONResponse({"ok": False, "error": str(exc)}, status_code=400)
        if isinstance(result, Response):
            return result
        return JSONResponse({"ok": True, "result": result})

    return route


def build_sandbox_app(chats: Chats, clock: DutyClock, *, bot_name: str) -> Starlette:
    def person(request: Request) -> int:
        telegram_id = int(request.path_params["id"])
        chats.character(telegram_id)
        return telegram_id

    async def body(request: Request) -> dict[str, Any]:
        data = await request.json()
        if not isinstance(data, dict):
            raise ValueError("body must be a JSON object")
        return data

    async def state(_request: Request) -> dict[str, Any]:
        return {
            "bot": bot_name,
            "panes": [chats.chat(p) for p in chats.panes],
            "clock": clock.to_json(),
            "venues": VENUES,
        }

    async def add_pane(request: Request) -> dict[str, Any]:
        telegram_id = int((await body(request))["id"])
        chats.character(telegram_id)
        await chats.bind(telegram_id)
        if telegram_id not in chats.panes:
            chats.panes.append(telegram_id)
            chats.save()
        return chats.chat(telegram_id)

    async def remove_pane(request: Request) -> bool:
        telegram_id = person(request)
        if telegram_id in chats.panes:
            chats.panes.remove(telegram_id)
            chats.save()
        return True

    async def people(request: Request) -> list[dict[str, object]]:
        return chats.people(request.query_params.get("q", "").strip())

    async def chat(request: Request) -> dict[str, Any]:
        return chats.chat(person(request))

    async def text(request: Request) -> dict[str, Any]:
        sent = str((await body(request))["text"]).strip()
        if not sent:
            raise ValueError("请输入文字")
        return await chats.send_text(person(request), sent)

    async def press(request: Request) -> dict[str, Any]:
        data = await body(request)
        message_id, callback_data = int(data["message_id"]), str(data["callback_data"])
        return await chats.press(person(request), message_id, callback_data)

    async def location(request: Request) -> dict[str, Any]:
        data = await body(request)
        return await chats.share_location(
            person(request), float(data["latitude"]), float(data["longitude"])
        )

    async def contact(request: Request) -> dict[str, Any]:
        return await chats.share_contact(person(request))

    async def upload(request: Request) -> dict[str, Any]:
        # The raw file as the body, its name in a header: no multipart parser needed.
        telegram_id = person(request)
        data = await request.body()
        if not data:
            raise ValueError("文件是空的")
        if len(data) > MAX_UPLOAD_BYTES:
            raise ValueError("文件超过 20 MB")
        filename = unquote(request.headers.get("x-filename", "file")) or "file"
        caption = request.query_params.get("caption") or None
        as_photo = request.query_params.get("kind") == "photo"
        return await chats.send_file(telegram_id, filename, data, caption=caption, photo=as_photo)

    async def file(request: Request) -> Response:
        stored = chats.emulator.file(request.path_params["file_id"])
        if stored.data is None:
            return Response(status_code=404)
        headers = {}
        if request.query_params.get("download"):
            name = stored.filename or stored.file_id
            headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
        return Response(
            stored.data,
            media_type=stored.mime_type or "application/octet-stream",
            headers=headers,
        )

    async def travel(request: Request) -> dict[str, Any]:
        at = datetime.fromisoformat(str((await body(request))["at"]))
        if at.tzinfo is None:
            # The page's datetime input is local time, as everyone in the city reads it.
            at = at.replace(tzinfo=clock.app.bot_data.settings.tz)
        travelled = await clock.travel(at.astimezone(UTC))
        result = {"queued": travelled.queued, "skipped": travelled.skipped, **clock.to_json()}
        chats.events.publish({"type": "clock", **result})
        return result

    async def events(request: Request) -> Response:
        async def stream() -> AsyncIterator[str]:
            async with chats.events.listen() as queue:
                yield "retry: 1000\n\n"
                while not await request.is_disconnected():
                    try:
                        event = await asyncio.wait_for(queue.get(), KEEPALIVE_SECONDS)
                    except TimeoutError:
                        yield ": keepalive\n\n"
                        continue
                    if event is None:
                        return
                    yield f"data: {json.dumps(event, ensure_ascii=False)}\n\n"

        return StreamingResponse(
            stream(),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    routes = [
        Route("/api/state", _refusing(state)),
        Route("/api/people", _refusing(people)),
        Route("/api/panes", _refusing(add_pane), methods=["POST"]),
        Route("/api/panes/{id:int}", _refusing(remove_pane), methods=["DELETE"]),
        Route("/api/chats/{id:int}", _refusing(chat)),
        Route("/api/chats/{id:int}/text", _refusing(text), methods=["POST"]),
        Route("/api/chats/{id:int}/press", _refusing(press), methods=["POST"]),
        Route("/api/chats/{id:int}/location", _refusing(location), methods=["POST"]),
        Route("/api/chats/{id:int}/contact", _refusing(contact), methods=["POST"]),
        Route("/api/chats/{id:int}/upload", _refusing(upload), methods=["POST"]),
        Route("/api/files/{file_id}", _refusing(file)),
        Route("/api/clock", _refusing(travel), methods=["POST"]),
        Route("/api/events", events),
    ]
    return Starlette(routes=routes)
