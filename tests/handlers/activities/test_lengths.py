"""An activity's panel for many people, with long leave reasons: the panel shows who fits one
message and how many lines are left out, instead of failing to open."""

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.formatting import TEXT_LIMIT
from emulator import BotApiEmulator
from models.db import transaction
from models.enums import AttendanceStatus
from models.tables import Attendance, Person
from services.activities.parsing import REASON_MAX
from tests.conftest import SmallCity
from tests.handlers.activities.support import HEAD_TG, next_message, open_panel, publish, say
from tests.handlers.chat import bind, press
from tests.handlers.notices.flow import add_members

pytestmark = pytest.mark.usefixtures("bot_app")


async def test_a_long_attendance_list_is_cut_with_a_count(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await bind(emulator, small_city, "grid_head", HEAD_TG)
    activity = await publish(emulator, sessions, small_city)
    # Members of the grid after the invitations went out (they have no chat to receive them).
    await add_members(sessions, small_city, 40)
    assert activity.id is not None
    async with transaction(sessions) as session:
        members = (await session.exec(select(Person).where(Person.name.startswith("统计员")))).all()  # type: ignore[attr-defined]
        for person in members:
            assert person.id is not None
            session.add(
                Attendance(
                    activity_id=activity.id,
                    person_id=person.id,
                    status=AttendanceStatus.LEAVE,
                    leave_reason="因" * REASON_MAX,
                    checked_in_at=None,
                )
            )
    panel = await open_panel(emulator, HEAD_TG)
    text = panel.text or ""
    assert len(text) <= TEXT_LIMIT
    assert "请假 40 人" in text
    assert "…另有" in text
    assert text.endswith("（全文见附件/详情）")
    assert [b["text"] for b in panel.buttons] == ["刷新签到码", "签到二维码", "登记请假"]


async def test_a_too_long_leave_reason_is_refused_with_the_excess(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await bind(emulator, small_city, "grid_head", HEAD_TG)
    await publish(emulator, sessions, small_city)
    panel = await open_panel(emulator, HEAD_TG)
    mark = emulator.checkpoint()
    await press(emulator, HEAD_TG, panel, panel.callback_data("登记请假"), forge=False)
    choose = await next_message(emulator, HEAD_TG, mark, "登记请假的人员")
    mark = emulator.checkpoint()
    await press(emulator, HEAD_TG, choose, choose.callback_data("陈统计"), forge=False)
    asked = await next_message(emulator, HEAD_TG, mark, "请输入陈统计的请假原因")
    assert f"{REASON_MAX} 字以内" in (asked.text or "")
    refused = await say(emulator, HEAD_TG, "因" * (REASON_MAX + 1), "请假原因")
    assert f"请假原因最多 {REASON_MAX} 字" in (refused.text or "")
    assert "超出 1 字" in (refused.text or "")
    reason = "因" * REASON_MAX
    await say(emulator, HEAD_TG, reason, "已登记陈统计请假")
    async with sessions() as session:
        row = (await session.exec(select(Attendance))).one()
    assert row.leave_reason == reason
