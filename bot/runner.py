"""Run the Application inside an already running event loop (`gridbot run`, demo, tests).

`Application.run_polling` owns the loop and blocks; this does the same start-up and
shut-down sequence, post_init, post_stop and post_shutdown included, as an async context
manager, receiving updates by long polling or (bot.webhook) from a webhook.
"""

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from handlers.context import GridApplication

# my_chat_member: a user unblocking the bot makes them reachable for the outbox again.
ALLOWED_UPDATES = ["message", "callback_query", "inline_query", "my_chat_member"]

Step = Callable[[GridApplication], Awaitable[None]]


@asynccontextmanager
async def running(
    app: GridApplication, *, start_receiving: Step, stop_receiving: Step
) -> AsyncIterator[GridApplication]:
    """PTB's sequence around `start_receiving` (after post_init) and `stop_receiving`
    (before the Application stops)."""
    await app.initialize()
    try:
        if app.post_init is not None:
            await app.post_init(app)
        await start_receiving(app)
        await app.start()
        try:
            yield app
        finally:
            await stop_receiving(app)
            await app.stop()
            if app.post_stop is not None:
                await app.post_stop(app)
    finally:
        await app.shutdown()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)


def polling(
    app: GridApplication, *, poll_timeout: int = 10
) -> AbstractAsyncContextManager[GridApplication]:
    async def start(app: GridApplication) -> None:
        assert app.updater is not None
        await app.updater.start_polling(
            poll_interval=0.0, timeout=poll_timeout, allowed_updates=ALLOWED_UPDATES
        )

    async def stop(app: GridApplication) -> None:
        assert app.updater is not None
        await app.updater.stop()

    return running(app, start_receiving=start, stop_receiving=stop)
