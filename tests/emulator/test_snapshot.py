"""What the sandbox reads of the emulator: both sides of a chat, changes across chats, user
photos, and the chats saved to a file and read back by a new emulator."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from emulator import BotApiEmulator
from tests.emulator.echo_bot import ALICE, BOT_USERNAME, TOKEN, AnyApp


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (12, 8), "blue").save(buffer, format="PNG")
    return buffer.getvalue()


async def test_both_sides_changes_and_photos(app: AnyApp, emu: BotApiEmulator) -> None:
    del app
    mark = emu.checkpoint()
    sent = await emu.send_text(ALICE, "/start abc")
    reply = await emu.wait_for_message(ALICE, after=mark)
    assert [m["message_id"] for m in emu.user_messages(ALICE)] == [sent["message_id"]]
    assert await emu.wait_for_change(mark, timeout=1) == reply.seq
    assert [m.message_id for m in emu.changed_messages(mark)] == [reply.message_id]
    assert emu.changed_messages(reply.seq) == []
    # Nothing changes: the wait ends after its timeout with the same checkpoint.
    assert await emu.wait_for_change(reply.seq, timeout=0.05) == reply.seq
    photo = await emu.send_photo(ALICE, "现场.png", png(), caption="签到现场")
    [size] = photo["photo"]
    assert (size["width"], size["height"]) == (12, 8)
    assert photo["caption"] == "签到现场"
    assert emu.file(size["file_id"]).data == png()


async def test_chats_saved_and_read_back(app: AnyApp, emu: BotApiEmulator, tmp_path: Path) -> None:
    del app
    mark = emu.checkpoint()
    await emu.send_text(ALICE, "/start abc")
    reply = await emu.wait_for_message(ALICE, after=mark)
    path = tmp_path / "chats.pickle"
    emu.save_chats(path)
    async with BotApiEmulator(token=TOKEN, bot_username=BOT_USERNAME) as again:
        assert not again.load_chats(tmp_path / "missing.pickle")
        assert again.load_chats(path)
        assert [m.text for m in again.sent_messages(ALICE)] == [reply.text]
        assert [m["text"] for m in again.user_messages(ALICE)] == ["/start abc"]
        assert again.checkpoint() == emu.checkpoint()
        # Message ids go on from where the saved chat was.
        sent = await again.send_text(ALICE, "hello")
        assert sent["message_id"] == reply.message_id + 1
