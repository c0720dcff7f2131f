"""Per-person limits on notices and exports through the real bot: over the limit the first
step is refused in Chinese with the time to try again, and nothing is kept or sent."""

import re

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from emulator import BotApiEmulator
from models.tables import Notice, OutboxMessage
from tests.conftest import SmallCity
from tests.handlers.chat import bind, command
from tests.handlers.notices.flow import INSTRUCTOR_TG, MEMBER_TG, compose, send
from tests.services.oversight.test_exports import seed

ADMIN_TG = 8604

pytestmark = pytest.mark.usefixtures("bot_app")


@pytest.fixture
def bot_settings() -> dict[str, object]:
    return {"notices_per_hour": 2, "exports_per_hour": 2}


async def test_a_notice_over_the_limit_is_refused_before_the_draft(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await bind(emulator, small_city, "instructor", INSTRUCTOR_TG)
    await bind(emulator, small_city, "member", MEMBER_TG)
    preview = await compose(
        emulator, INSTRUCTOR_TG, "第一条通知", scope="我的网格：虹桥镇·工业网格1"
    )
    await send(emulator, INSTRUCTOR_TG, preview)
    # A draft begun and dropped counts nothing; one sent does.
    assert "请发送通知正文" in ((await command(emulator, INSTRUCTOR_TG, "/notice")).text or "")
    await command(emulator, INSTRUCTOR_TG, "/cancel")
    preview = await compose(
        emulator, INSTRUCTOR_TG, "第二条通知", scope="我的网格：虹桥镇·工业网格1"
    )
    await send(emulator, INSTRUCTOR_TG, preview)

    refused = await command(emulator, INSTRUCTOR_TG, "/notice")
    assert re.fullmatch(
        r"发送通知过于频繁，请在 (?:\d+月\d+日 )?\d\d:\d\d 后再试。", refused.text or ""
    )
    # The next text is no notice body.
    after = await command(emulator, INSTRUCTOR_TG, "第三条通知")
    assert {"text": "跳过", "callback_data": "nt:skip"} not in after.buttons
    async with sessions() as session:
        assert (await session.exec(select(func.count()).select_from(Notice))).one() == 2
        queued = await session.exec(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "notice")
        )
        assert queued.one() == 2


async def test_an_export_over_the_limit_is_refused(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await seed(sessions, small_city)
    await bind(emulator, small_city, "admin", ADMIN_TG)
    for _ in range(2):
        mark = emulator.checkpoint()
        await emulator.send_text(ADMIN_TG, "/export questions 2026-11")
        await emulator.wait_for_message(ADMIN_TG, lambda m: m.document is not None, after=mark)
        await emulator.wait_for_message(ADMIN_TG, lambda m: "已生成" in (m.text or ""), after=mark)
    mark = emulator.checkpoint()
    await emulator.send_text(ADMIN_TG, "/export questions 2026-11")
    # The refusal takes the place of the progress message.
    refused = await emulator.wait_for_message(
        ADMIN_TG, lambda m: "过于频繁" in (m.text or ""), after=mark
    )
    assert re.fullmatch(
        r"导出过于频繁，请在 (?:\d+月\d+日 )?\d\d:\d\d 后再试。", refused.text or ""
    ), refused.text
    assert not [m for m in emulator.sent_messages(ADMIN_TG) if m.seq > mark and m.document]
