"""Run the Application inside an already running event loop (demo, tests).

`Application.run_polling` owns the loop and blocks; this does the same start-up and
shut-down sequence, post_init, post_stop and post_shutdown included, as an async context
manager.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from handlers.context import GridApplication

# my_chat_member: a user unblocking the bot makes them reachable for the outbox again.
ALLOWED_UPDATES = ["message", "callback_query", "inline_query", "my_chat_member"]


@asynccontextmanager
async def polling(
    app: GridApplication, *, poll_timeout: int = 10
) -> AsyncIterator[GridApplication]:
    await app.initialize()
    try:
        if app.post_init is not None:
            await app.post_init(app)
        assert app.updater is not None
        await app.updater.start_polling(
            poll_interval=0.0, timeout=poll_timeout, allowed_updates=ALLOWED_UPDATES
        )
        await app.start()
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()
            if app.post_stop is not None:
                await app.post_stop(app)
    finally:
        await app.shutdown()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)
