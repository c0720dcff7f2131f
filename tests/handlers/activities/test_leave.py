"""The panel's [登记请假] and [提醒未签到] through the real bot."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from emulator import BotApiEmulator
from models.tables import OutboxMessage, ReminderClaim
from tests.conftest import SmallCity
from tests.handlers.activities.support import (
    HEAD_TG,
    INSTRUCTOR_TG,
    MEMBER_TG,
    next_message,
    open_panel,
    publish,
    say,
)
from tests.handlers.chat import bind, press

pytestmark = pytest.mark.usefixtures("bot_app")


async def test_record_leave_and_remind_absentees_once(
    emulator: BotApiEmulator,
    small_city: SmallCity,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await bind(emulator, small_city, "grid_head", HEAD_TG)
    await bind(emulator, small_city, "member", MEMBER_TG)
    await bind(emulator, small_city, "instructor", INSTRUCTOR_TG)
    now = datetime.now(UTC)
    activity = await publish(
        emulator,
        sessions,
        small_city,
        starts=now - timedelta(hours=2),
        ends=now - timedelta(minutes=1),
        now=now - timedelta(hours=3),
    )
    panel = await open_panel(emulator, HEAD_TG)
    assert "签到已关闭" in (panel.text or "")
    assert [b["text"] for b in panel.buttons] == ["登记请假", "提醒未签到"]

    mark = emulator.checkpoint()
    await press(emulator, HEAD_TG, panel, panel.callback_data("登记请假"), forge=False)
    choose = await next_message(emulator, HEAD_TG, mark, "登记请假的人员")
    assert [b["text"] for b in choose.buttons] == ["李指导员", "陈统计"]
    mark = emulator.checkpoint()
    await press(emulator, HEAD_TG, choose, choose.callback_data("陈统计"), forge=False)
    await next_message(emulator, HEAD_TG, mark, "请输入陈统计的请假原因")
    await say(emulator, HEAD_TG, "到市里参加培训", "已登记陈统计请假：到市里参加培训")

    _, refreshed = await press(emulator, HEAD_TG, panel, f"act:r:{activity.id}", forge=True)
    assert refreshed is not None
    assert "请假：\n• 陈统计：到市里参加培训" in (refreshed.text or "")
    assert "未签到：\n• 李指导员" in (refreshed.text or "")

    answer, _ = await press(
        emulator, HEAD_TG, refreshed, refreshed.callback_data("提醒未签到"), forge=False
    )
    assert "已向 1 名未签到人员发送提醒" in answer
    reminder = await emulator.wait_for_message(
        INSTRUCTOR_TG, lambda m: "活动未签到提醒" in (m.text or "")
    )
    assert "统计法学习" in (reminder.text or "")
    answer, _ = await press(emulator, HEAD_TG, refreshed, f"act:m:{activity.id}", forge=True)
    assert "已经提醒过" in answer
    async with sessions() as session:
        claims = (await session.exec(select(ReminderClaim))).all()
        reminders = (
            await session.exec(select(OutboxMessage).where(OutboxMessage.kind == "activity"))
        ).all()
    assert len(claims) == 1
    assert [m.person_id for m in reminders if "未签到提醒" in m.text] == [
        small_city.person_id("instructor")
    ]
    assert not any(
        "未签到提醒" in m.text for m in emulator.sent_messages(MEMBER_TG)
    )  # on leave: not reminded
