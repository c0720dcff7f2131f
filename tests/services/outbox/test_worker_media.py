"""Photos and documents through the outbox: sent by file_id with the text as caption, or with the
text following when it is too long for a caption."""

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Bot

from core.buttons import Button, inline_keyboard_json
from emulator import BotApiEmulator
from models import outbox
from models.db import transaction
from models.enums import OutboxStatus
from models.tables import OutboxMessage
from services.notices.buttons import NoticeRead
from services.outbox import Recipient, enqueue_broadcast, enqueue_text
from services.outbox.splitting import MAX_CAPTION_LENGTH
from services.outbox.worker import OutboxConfig, OutboxWorker
from tests.conftest import TOKEN

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + (2).to_bytes(4, "big") * 2 + b"\x08\x02\x00\x00\x00"
FAST = OutboxConfig(chat_interval=0.05, poll_interval=0.05, lease=timedelta(seconds=5))
BUTTONS = [[Button("已阅", NoticeRead(1))]]
BUTTON = inline_keyboard_json(BUTTONS)
assert BUTTON is not None

Sessions = async_sessionmaker[AsyncSession]


@pytest.fixture
async def worker(emulator: BotApiEmulator, sessions: Sessions) -> AsyncIterator[OutboxWorker]:
    async with Bot(TOKEN, base_url=emulator.bot_base_url) as bot:
        running = OutboxWorker(bot=bot, sessions=sessions, config=FAST)
        await running.start()
        try:
            yield running
        finally:
            await running.stop()


async def drained(sessions: Sessions) -> None:
    deadline = time.monotonic() + 10
    while True:
        async with sessions() as session:
            counts = await outbox.status_counts(session=session)
        if counts[OutboxStatus.PENDING] + counts[OutboxStatus.SENDING] == 0:
            return
        assert time.monotonic() < deadline, counts
        await asyncio.sleep(0.05)


async def uploaded(emulator: BotApiEmulator, name: str, data: bytes) -> str:
    """A file_id Telegram knows: a file some user uploaded."""
    emulator.user(1)
    message = await emulator.send_document(1, name, data)
    return str(message["document"]["file_id"])


async def test_a_short_text_is_the_caption_of_the_photo_with_the_buttons(
    emulator: BotApiEmulator, sessions: Sessions, worker: OutboxWorker
) -> None:
    file_id = await uploaded(emulator, "a.png", PNG)
    emulator.user(500)
    async with transaction(sessions) as session:
        count = await enqueue_text(
            session=session,
            chat_id=500,
            text="<b>现场</b>照片",
            kind="notice",
            buttons=BUTTONS,
            media_kind="photo",
            media_file_id=file_id,
        )
    assert count == 1
    worker.wake()
    await drained(sessions)
    (sent,) = emulator.sent_messages(500)
    assert sent.method == "sendPhoto"
    assert sent.photo is not None
    assert sent.photo.file_id == file_id
    assert sent.text == "现场照片"
    assert sent.buttons == BUTTON["inline_keyboard"][0]


async def test_a_long_text_follows_the_document_in_order(
    emulator: BotApiEmulator, sessions: Sessions, worker: OutboxWorker
) -> None:
    file_id = await uploaded(emulator, "说明.pdf", b"%PDF-1.4")
    recipients = [Recipient(chat_id=chat_id) for chat_id in (600, 601)]
    for recipient in recipients:
        emulator.user(recipient.chat_id)
    text = "年报填报说明。" * 200  # 1400 characters: more than a caption holds
    async with transaction(sessions) as session:
        count = await enqueue_broadcast(
            session=session,
            recipients=recipients,
            text=text,
            kind="notice",
            buttons=BUTTONS,
            dedupe_key="notice:9",
            ref="notice:9",
            media_kind="document",
            media_file_id=file_id,
        )
    assert count == 4
    worker.wake()
    await drained(sessions)
    for recipient in recipients:
        document, body = emulator.sent_messages(recipient.chat_id)
        assert document.method == "sendDocument"
        assert document.text is None
        assert document.buttons == []
        assert body.method == "sendMessage"
        assert body.text == text
        assert body.buttons == BUTTON["inline_keyboard"][0]
    async with sessions() as session:
        rows = (await session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id)))).all()
    assert [(r.chat_id, r.media_kind, r.dedupe_key) for r in rows] == [
        (600, "document", "notice:9:600"),
        (600, None, "notice:9:600#2"),
        (601, "document", "notice:9:601"),
        (601, None, "notice:9:601#2"),
    ]


async def test_an_unknown_file_fails_with_the_reason(
    emulator: BotApiEmulator, sessions: Sessions, worker: OutboxWorker
) -> None:
    emulator.user(700)
    async with transaction(sessions) as session:
        await enqueue_text(
            session=session,
            chat_id=700,
            text="附件",
            kind="notice",
            media_kind="document",
            media_file_id="NO-SUCH-FILE",
        )
    worker.wake()
    await drained(sessions)
    async with sessions() as session:
        (row,) = await outbox.messages_for_chat(session=session, chat_id=700)
    assert row.status == OutboxStatus.FAILED
    assert row.error is not None
    assert "wrong file identifier" in row.error.lower()


async def test_media_arguments_are_checked(sessions: Sessions) -> None:
    async with transaction(sessions) as session:
        with pytest.raises(ValueError, match="unsupported media"):
            await enqueue_text(
                session=session,
                chat_id=1,
                text="x",
                kind="k",
                media_kind="video",
                media_file_id="F",
            )
        with pytest.raises(ValueError, match="go together"):
            await enqueue_text(session=session, chat_id=1, text="x", kind="k", media_kind="photo")
        # Exactly a caption's worth still rides on the media.
        assert (
            await enqueue_text(
                session=session,
                chat_id=1,
                text="字" * MAX_CAPTION_LENGTH,
                kind="k",
                media_kind="photo",
                media_file_id="F",
            )
            == 1
        )
