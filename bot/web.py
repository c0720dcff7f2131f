"""The HTTP app at GRIDBOT_LISTEN: /healthz, /readyz, /metrics, and the webhook route.

One Starlette app for both modes (PTB's examples/customwebhookbot/starlettebot.py puts the
webhook and a health route side by side the same way); in polling mode it has no webhook.
"""

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from bot import health
from bot.metrics import CONTENT_TYPE, Metrics
from bot.standing import Standing
from bot.webhook import WebhookReceiver
from handlers.context import GridApplication


def build_web_app(
    app: GridApplication,
    *,
    standing: Standing,
    metrics: Metrics,
    webhook: WebhookReceiver | None = None,
    webhook_path: str = "/telegram",
) -> Starlette:
    async def healthz(_request: Request) -> Response:
        # Alive as long as the event loop answers; readiness is /readyz.
        return PlainTextResponse("ok")

    async def readyz(_request: Request) -> Response:
        readiness = await health.check(app, standing=standing, metrics=metrics)
        return JSONResponse(
            {"ready": readiness.ready, "active": standing.active, "problems": readiness.problems},
            status_code=200 if readiness.ready else 503,
        )

    async def prometheus(_request: Request) -> Response:
        # Refreshes the queue figures (a database read) before rendering.
        await health.check(app, standing=standing, metrics=metrics)
        return Response(metrics.render(), media_type=CONTENT_TYPE)

    routes = [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/metrics", prometheus, methods=["GET"]),
    ]
    if webhook is not None:
        routes.append(Route(webhook_path, webhook.handle, methods=["POST"]))
    return Starlette(routes=routes)
