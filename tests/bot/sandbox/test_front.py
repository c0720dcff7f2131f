"""The page is served before the sandbox behind it is up: files at once, the API a 503 that
says what is being prepared, then the real API."""

import httpx
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from bot.sandbox.front import Front


async def test_files_at_once_and_the_api_once_ready() -> None:
    front = Front()
    front.step = "正在准备演示城市…"
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=front), base_url="http://sandbox")
    assert "/static/app.js" in (await client.get("/")).text
    assert "EventSource" in (await client.get("/static/app.js")).text
    assert (await client.get("/fonts/NotoSansCJKsc-Regular.otf")).content[:4] == b"OTTO"
    waiting = await client.get("/api/state")
    assert waiting.status_code == 503
    assert waiting.json() == {"ok": False, "starting": True, "error": "正在准备演示城市…"}

    async def state(_request: object) -> JSONResponse:
        return JSONResponse({"ok": True, "result": "ready"})

    front.api = Starlette(routes=[Route("/api/state", state)])
    assert (await client.get("/api/state")).json() == {"ok": True, "result": "ready"}
    # The page's own files stay with the front.
    assert (await client.get("/static/app.css")).status_code == 200
    await client.aclose()
