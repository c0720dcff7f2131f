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
from tests.handlers.activities.support import HEAD_TG, open_panel, publish
from tests.handlers.chat import bind
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
