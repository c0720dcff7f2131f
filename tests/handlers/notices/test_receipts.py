"""[已阅] through the real bot: only a recipient confirms, and confirming closes the to-do."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from emulator import BotApiEmulator
from models import notices as notice_queries
from models.tables import Notice
from services.notices.todo import todo_items
from services.onboarding import load_viewer
from tests.conftest import SmallCity
from tests.handlers.chat import bind, command, press
from tests.handlers.notices.flow import (
    ADMIN_TG,
    INSTRUCTOR_TG,
    MEMBER_TG,
    OTHER_MEMBER_TG,
    Sessions,
    compose,
    notice_of,
    send,
)

TZ = ZoneInfo("Asia/Shanghai")

pytestmark = pytest.mark.usefixtures("bot_app")


async def test_a_forged_receipt_for_a_notice_the_member_did_not_get_is_refused(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: Sessions
) -> None:
    await bind(emulator, small_city, "member", MEMBER_TG)
    await bind(emulator, small_city, "other_member", OTHER_MEMBER_TG)
    await bind(emulator, small_city, "admin", ADMIN_TG)
    preview = await compose(emulator, ADMIN_TG, "柳市镇专项通知", scope="柳市镇全镇（街道）")
    await send(emulator, ADMIN_TG, preview)
    received = await emulator.wait_for_message(OTHER_MEMBER_TG, lambda m: "📢" in (m.text or ""))
    notice_id = notice_of(received)
    me = await command(emulator, MEMBER_TG, "/me")
    for forged in (f"nr:{notice_id}", "nr:999999"):
        answer, edited = await press(emulator, MEMBER_TG, me, forged, forge=True)
        assert answer == "这条通知不是发给您的，无法确认。"
        assert edited is None
    async with sessions() as session:
        member_copy = await notice_queries.recipient(
            session=session, notice_id=notice_id, person_id=small_city.person_id("member")
        )
        other_copy = await notice_queries.recipient(
            session=session, notice_id=notice_id, person_id=small_city.person_id("other_member")
        )
    assert member_copy is None
    assert other_copy is not None
    assert other_copy.confirmed_at is None


async def test_the_notice_to_do_lists_what_the_member_has_not_confirmed(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: Sessions
) -> None:
    for key, tg in (("instructor", INSTRUCTOR_TG), ("member", MEMBER_TG)):
        await bind(emulator, small_city, key, tg)
    await send(
        emulator,
        INSTRUCTOR_TG,
        await compose(emulator, INSTRUCTOR_TG, "待办测试<b>", scope="我的网格：虹桥镇·工业网格1"),
    )
    received = await emulator.wait_for_message(MEMBER_TG, lambda m: "📢" in (m.text or ""))
    async with sessions() as session:
        viewer = await load_viewer(session=session, telegram_user_id=MEMBER_TG)
        assert viewer is not None
        (item,) = await todo_items(session=session, viewer=viewer, now=datetime.now(UTC), tz=TZ)
    assert item.section == "待确认通知"
    assert "待办测试&lt;b&gt;" in item.text
    assert "李指导员" in item.text
    await press(emulator, MEMBER_TG, received, received.callback_data("已阅"), forge=False)
    async with sessions() as session:
        assert await todo_items(session=session, viewer=viewer, now=datetime.now(UTC), tz=TZ) == []
        assert isinstance(await session.get(Notice, notice_of(received)), Notice)
