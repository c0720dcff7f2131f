"""A notice body as long as Telegram allows once the preview's header and footer are counted:
the longest accepted body goes through the preview and out; one unit more is refused in Chinese
and the conversation goes on."""

import pytest
from sqlmodel import select

from core.formatting import TEXT_LIMIT, utf16_len
from emulator import BotApiEmulator
from models.db import transaction
from models.tables import Grid
from services.notices.drafts import NOTICE_MAX
from tests.conftest import SmallCity
from tests.handlers.chat import bind, command, press
from tests.handlers.notices.flow import (
    ADMIN_TG,
    MEMBER_TG,
    Sessions,
    compose,
    notice_messages,
    notice_of,
    send,
    settled,
)

pytestmark = pytest.mark.usefixtures("bot_app")

# A town with the longest name a grid may have (Grid.name): the preview's longest header.
LONG_TOWN = "虹" * 99 + "镇"


async def _longest_town(sessions: Sessions) -> None:
    async with transaction(sessions) as session:
        town = (await session.exec(select(Grid).where(Grid.name == "虹桥镇"))).one()
        town.name = LONG_TOWN
        session.add(town)


def _body(units: int) -> str:
    """`units` UTF-16 units of text with what counting and escaping can trip on."""
    head = "😀&<b>"  # 2 + 1 + 3 units once escaped and parsed
    return head + "通" * (units - utf16_len(head))


async def test_a_too_long_notice_body_is_refused_and_the_draft_goes_on(
    emulator: BotApiEmulator, small_city: SmallCity
) -> None:
    await bind(emulator, small_city, "admin", ADMIN_TG)
    assert 3000 < NOTICE_MAX < TEXT_LIMIT
    await command(emulator, ADMIN_TG, "/notice")
    # The case (4,091 characters) and the first one over the limit.
    for units in (4091, NOTICE_MAX + 1):
        refused = await command(emulator, ADMIN_TG, _body(units))
        assert f"最多 {NOTICE_MAX} 字" in (refused.text or "")
        assert f"超出 {units - NOTICE_MAX} 字" in (refused.text or "")
        assert refused.buttons == []
    ask_media = await command(emulator, ADMIN_TG, "短一些的通知")
    assert ask_media.buttons == [{"text": "跳过", "callback_data": "nt:skip"}]
    _, targets = await press(emulator, ADMIN_TG, ask_media, "nt:skip", forge=False)
    assert targets is not None
    assert "发送给谁" in (targets.text or "")


async def test_the_longest_notice_body_previews_and_goes_out_whole(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: Sessions
) -> None:
    await bind(emulator, small_city, "admin", ADMIN_TG)
    await bind(emulator, small_city, "member", MEMBER_TG)
    await _longest_town(sessions)
    body = _body(NOTICE_MAX)
    preview = await compose(emulator, ADMIN_TG, body, scope=f"{LONG_TOWN}全镇（街道）")
    assert body in (preview.text or "")
    await send(emulator, ADMIN_TG, preview)
    await emulator.wait_for_message(MEMBER_TG, lambda m: "已阅" in str(m.buttons))
    received = notice_messages(emulator, MEMBER_TG)
    status = await settled(sessions, notice_of(emulator.sent_messages(MEMBER_TG)[-1]))
    assert status.counts()["sent"] >= 1
    # The copy is split where it outgrows one message; together the parts carry the whole body.
    text = "".join(
        m.text or "" for m in emulator.sent_messages(MEMBER_TG) if m.seq >= received[0].seq
    )
    assert body.replace("\n", "") in text.replace("\n", "")
