"""A document a user sent, fetched from Telegram (getFile, then the download)."""

import logging

from telegram import Document, Message
from telegram.error import TelegramError

from handlers.context import GridContext
from services.texts import DOWNLOAD_FAILED

log = logging.getLogger(__name__)


async def download(
    context: GridContext, message: Message, document: Document, *, what: str
) -> bytes | None:
    """The document's bytes; None once the user was told the download failed."""
    try:
        file = await context.bot.get_file(document.file_id)
        return bytes(await file.download_as_bytearray())
    except TelegramError:
        log.warning("%s download failed", what, exc_info=True)
        await message.reply_html(DOWNLOAD_FAILED)
        return None
