"""What the sandbox serves from its first second: the page, its script, style and font at once,
and the JSON API once the city, the emulator and the bot are up (until then a 503 saying what
is being prepared, which the page shows while it waits). Light imports only: the page is up
while the bot's modules are still loading."""

from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from services.oversight.chart import font_path

STATIC = Path(__file__).parent / "static"


async def index(_request: Request) -> Response:
    return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")


async def font(_request: Request) -> Response:
    # Noto Sans CJK SC as mplfonts ships it (the /stats chart's font too): Chinese renders on
    # a machine without CJK fonts.
    return FileResponse(
        font_path(), media_type="font/otf", headers={"Cache-Control": "max-age=86400"}
    )


class Front:
    """The ASGI app uvicorn serves; `api` is set (bot.sandbox.web) once the sandbox is ready."""

    def __init__(self) -> None:
        self.api: ASGIApp | None = None
        # What is being prepared, as the page shows it while it waits.
        self.step = "正在启动演示沙盒…"
        self._files = Starlette(
            routes=[
                Route("/", index),
                Route("/fonts/NotoSansCJKsc-Regular.otf", font),
                Mount("/static", StaticFiles(directory=STATIC), name="static"),
            ]
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and str(scope["path"]).startswith("/api/"):
            if self.api is not None:
                await self.api(scope, receive, send)
                return
            waiting = JSONResponse(
                {"ok": False, "starting": True, "error": self.step}, status_code=503
            )
            await waiting(scope, receive, send)
            return
        await self._files(scope, receive, send)
