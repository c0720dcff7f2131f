"""Some history for a new demo city, so that /stats and /mystats show something."""

from bot.sandbox.chats import Chats
from handlers.context import GridApplication


async def add_history(chats: Chats, app: GridApplication) -> None:
    """Nothing yet."""
    del chats, app
