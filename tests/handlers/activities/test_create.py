"""/activity through the real bot: the guided conversation, its invitations, /cancel, the
map location, forged buttons."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from emulator import BotApiEmulator
from models.enums import ActivityKind
from models.tables import Activity, ActivityGrid, OutboxMessage
from services.activities.buttons import ToggleGrid
from services.activities.parsing import TITLE_MAX
from tests.conftest import SmallCity
from tests.handlers.activities.support import (
    HEAD_TG,
    INSTRUCTOR_TG,
    LAT,
    LON,
    MEMBER_TG,
    OTHER_TG,
    SHANGHAI,
    TOWN_HEAD_TG,
    next_message,
    say,
)
from tests.handlers.chat import bind, command, press

pytestmark = pytest.mark.usefixtures("bot_app")


async def test_create_activity_end_to_end_and_invitations_arrive(
    emulator: BotApiEmulator,
    small_city: SmallCity,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    for key, tg in (
        ("grid_head", HEAD_TG),
        ("instructor", INSTRUCTOR_TG),
        ("member", MEMBER_TG),
        ("other_member", OTHER_TG),
    ):
        await bind(emulator, small_city, key, tg)
    kinds = await command(emulator, HEAD_TG, "/activity")
    assert [b["text"] for b in kinds.buttons] == [k.value for k in ActivityKind]
    mark = emulator.checkpoint()
    await press(emulator, HEAD_TG, kinds, kinds.callback_data("学习"), forge=False)
    await next_message(emulator, HEAD_TG, mark, "活动主题")
    # Too long: says by how much; the conversation stays at the title.
    over = await say(emulator, HEAD_TG, "学" * (TITLE_MAX + 3), "超出 3 字")
    assert f"最多 {TITLE_MAX} 字" in (over.text or "")
    await say(emulator, HEAD_TG, "统计台账规范化学习会", "日期和时间段")
    # Bad windows are explained and asked again.
    bad = await say(emulator, HEAD_TG, "下周找个时间", "没有看懂")
    assert "下午2点到4点" in (bad.text or "")
    await say(emulator, HEAD_TG, "明天 11:00-10:00", "结束时间必须晚于开始时间")
    await say(emulator, HEAD_TG, "2020-01-01 9:00-10:00", "已经过去")
    # Said as one says it: read, the conversation moves on.
    await say(emulator, HEAD_TG, "明天 上午9点半到11点", "活动地点")
    skip = await say(emulator, HEAD_TG, "虹桥镇政府三楼会议室", "位置")
    mark = emulator.checkpoint()
    await press(emulator, HEAD_TG, skip, skip.callback_data("跳过"), forge=False)
    grids = await next_message(emulator, HEAD_TG, mark, "参加活动的网格")
    assert [b["text"] for b in grids.buttons] == ["虹桥镇·工业网格1", "完成"]
    answer, _ = await press(emulator, HEAD_TG, grids, grids.callback_data("完成"), forge=False)
    assert "至少选择一个网格" in answer
    # A grid the organiser does not staff cannot be slipped in.
    forged = ToggleGrid(small_city.grids["柳市镇网格"].id or 0).pack()
    answer, _ = await press(emulator, HEAD_TG, grids, forged, forge=True)
    assert "不在您的管辖范围" in answer
    # A payload that does not parse is refused as stale, whatever the state.
    answer, _ = await press(emulator, HEAD_TG, grids, "actnew_g:x", forge=True)
    assert "已失效" in answer
    _, toggled = await press(
        emulator, HEAD_TG, grids, grids.callback_data("虹桥镇·工业网格1"), forge=False
    )
    assert toggled is not None
    assert [b["text"] for b in toggled.buttons] == ["✅ 虹桥镇·工业网格1", "完成"]
    mark = emulator.checkpoint()
    await press(emulator, HEAD_TG, toggled, toggled.callback_data("完成"), forge=False)
    preview = await next_message(emulator, HEAD_TG, mark, "请确认活动信息")
    text = preview.text or ""
    assert "类型：学习" in text
    assert "主题：统计台账规范化学习会" in text
    tomorrow = (datetime.now(SHANGHAI) + timedelta(days=1)).date()
    assert f"{tomorrow.month}月{tomorrow.day}日 09:30-11:00" in text
    assert "网格：虹桥镇·工业网格1" in text
    async with sessions() as session:
        assert (await session.exec(select(Activity))).all() == []  # nothing before confirm
    mark = emulator.checkpoint()
    await press(emulator, HEAD_TG, preview, preview.callback_data("确认发布"), forge=False)
    done = await next_message(emulator, HEAD_TG, mark, "活动已发布")
    assert "已向 2 人发送邀请" in (done.text or "")
    for tg in (MEMBER_TG, INSTRUCTOR_TG):
        invitation = await emulator.wait_for_message(tg, lambda m: "网格活动邀请" in (m.text or ""))
        assert "【学习】统计台账规范化学习会" in (invitation.text or "")
        assert "虹桥镇政府三楼会议室" in (invitation.text or "")
        assert "王网格长" in (invitation.text or "")
    async with sessions() as session:
        [activity] = (await session.exec(select(Activity))).all()
        [grid] = (await session.exec(select(ActivityGrid))).all()
        outbox = (await session.exec(select(OutboxMessage))).all()
    assert activity.organiser_id == small_city.person_id("grid_head")
    assert activity.starts_at.astimezone(SHANGHAI).strftime("%H:%M") == "09:30"
    assert grid.grid_id == small_city.grids["虹桥镇网格"].id
    assert sorted(m.person_id or 0 for m in outbox) == sorted(
        [small_city.person_id("member"), small_city.person_id("instructor")]
    )
    assert {m.ref for m in outbox} == {f"activity:{activity.id}"}


async def test_cancel_writes_nothing_and_members_cannot_organise(
    emulator: BotApiEmulator,
    small_city: SmallCity,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await bind(emulator, small_city, "grid_head", HEAD_TG)
    await bind(emulator, small_city, "member", MEMBER_TG)
    await bind(emulator, small_city, "town_head", TOWN_HEAD_TG)
    kinds = await command(emulator, HEAD_TG, "/activity")
    mark = emulator.checkpoint()
    await press(emulator, HEAD_TG, kinds, kinds.callback_data("团建"), forge=False)
    await next_message(emulator, HEAD_TG, mark, "活动主题")
    await say(emulator, HEAD_TG, "/cancel", "已取消发起活动")
    # The old buttons are dead once the conversation ended.
    answer, _ = await press(emulator, HEAD_TG, kinds, kinds.callback_data("学习"), forge=True)
    assert "已失效" in answer
    refused = await command(emulator, MEMBER_TG, "/activity")
    assert "无权使用" in (refused.text or "")
    refused = await command(emulator, TOWN_HEAD_TG, "/activity")
    assert "无权使用" in (refused.text or "")
    async with sessions() as session:
        assert (await session.exec(select(Activity))).all() == []


async def test_organiser_shares_the_place_on_the_map(
    emulator: BotApiEmulator,
    small_city: SmallCity,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await bind(emulator, small_city, "instructor", INSTRUCTOR_TG)
    kinds = await command(emulator, INSTRUCTOR_TG, "/activity")
    mark = emulator.checkpoint()
    await press(emulator, INSTRUCTOR_TG, kinds, kinds.callback_data("法治宣传"), forge=False)
    await next_message(emulator, INSTRUCTOR_TG, mark, "活动主题")
    await say(emulator, INSTRUCTOR_TG, "统计法进企业", "日期和时间段")
    await say(emulator, INSTRUCTOR_TG, "12月30日 下午2点-4点", "活动地点")
    await say(emulator, INSTRUCTOR_TG, "虹桥电气会议室", "位置")
    await say(emulator, INSTRUCTOR_TG, "就在厂里", "请发送活动地点的地图位置")
    mark = emulator.checkpoint()
    await emulator.share_location(INSTRUCTOR_TG, LAT, LON)
    grids = await next_message(emulator, INSTRUCTOR_TG, mark, "参加活动的网格")
    _, toggled = await press(
        emulator, INSTRUCTOR_TG, grids, grids.callback_data("虹桥镇·工业网格1"), forge=False
    )
    assert toggled is not None
    mark = emulator.checkpoint()
    await press(emulator, INSTRUCTOR_TG, toggled, toggled.callback_data("完成"), forge=False)
    preview = await next_message(emulator, INSTRUCTOR_TG, mark, "请确认活动信息")
    assert "12月30日 14:00-16:00" in (preview.text or "")
    assert "签到需核验位置" in (preview.text or "")
    mark = emulator.checkpoint()
    await press(emulator, INSTRUCTOR_TG, preview, preview.callback_data("确认发布"), forge=False)
    # The member and the 网格长 are invited; neither has bound, so nobody can be messaged.
    done = await next_message(emulator, INSTRUCTOR_TG, mark, "活动已发布")
    assert "2 人尚未绑定机器人" in (done.text or "")
    async with sessions() as session:
        [activity] = (await session.exec(select(Activity))).all()
    assert (activity.latitude, activity.longitude) == (LAT, LON)
    assert activity.kind == ActivityKind.LAW
    assert activity.organiser_id == small_city.person_id("instructor")
