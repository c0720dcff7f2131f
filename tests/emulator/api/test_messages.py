"""sendDocument, sendPhoto and getFile, for files the bot sends and users upload."""

from __future__ import annotations

import pytest
from telegram import InputFile
from telegram.constants import ParseMode
from telegram.error import BadRequest

from emulator import BotApiEmulator
from tests.emulator.echo_bot import ALICE, AnyApp, png


async def test_send_document_and_photo(app: AnyApp, emu: BotApiEmulator) -> None:
    payload = b"PK\x03\x04 fake xlsx \x00\xff" * 100
    message = await app.bot.send_document(
        ALICE,
        InputFile(payload, filename="网格统计.xlsx"),
        caption="<b>报表</b>",
        parse_mode=ParseMode.HTML,
    )
    assert message.document is not None
    assert message.document.file_name == "网格统计.xlsx"
    assert message.caption == "报表"
    sent = emu.sent_messages(ALICE)[-1]
    assert sent.method == "sendDocument"
    assert sent.text == "报表"
    assert sent.document is not None
    assert sent.document.filename == "网格统计.xlsx"
    assert sent.document.size == len(payload)
    assert sent.document.data == payload

    # Re-sending by file_id and downloading through base_file_url both work.
    await app.bot.send_document(ALICE, message.document.file_id)
    telegram_file = await app.bot.get_file(message.document.file_id)
    assert bytes(await telegram_file.download_as_bytearray()) == payload

    image = png(33, 17)
    photo_message = await app.bot.send_photo(ALICE, image)
    assert photo_message.photo[-1].width == 33
    assert photo_message.photo[-1].height == 17
    sent_photo = emu.sent_messages(ALICE)[-1].photo
    assert sent_photo is not None
    assert sent_photo.data == image

    with pytest.raises(BadRequest, match=r"(?i)image_process_failed"):
        await app.bot.send_photo(ALICE, b"not an image")


async def test_user_uploaded_document_can_be_downloaded(app: AnyApp, emu: BotApiEmulator) -> None:
    sent = await emu.send_document(ALICE, "名单.csv", "姓名,电话\n张三,1\n".encode())
    telegram_file = await app.bot.get_file(sent["document"]["file_id"])
    assert (await telegram_file.download_as_bytearray()).decode() == "姓名,电话\n张三,1\n"
