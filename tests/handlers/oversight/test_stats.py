"""/stats and /mystats through the real bot: scope per role, the chart as a photo, refusals."""

from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from emulator import BotApiEmulator
from models.enums import ActivityKind
from models.tables import Activity, ActivityGrid
from tests.conftest import SmallCity
from tests.handlers.chat import bind, command

ADMIN_TG, TOWN_HEAD_TG, OTHER_HEAD_TG, MEMBER_TG, HEAD_TG = 8101, 8102, 8103, 8104, 8105

pytestmark = pytest.mark.usefixtures("bot_app")


async def _photo_after(emulator: BotApiEmulator, telegram_id: int, mark: int) -> bytes:
    photo = await emulator.wait_for_message(telegram_id, lambda m: m.photo is not None, after=mark)
    assert photo.photo is not None
    data = emulator.file(photo.photo.file_id).data
    assert data is not None
    return data


async def test_town_head_sees_own_town_with_chart(
    emulator: BotApiEmulator, small_city: SmallCity
) -> None:
    await bind(emulator, small_city, "town_head", TOWN_HEAD_TG)
    mark = emulator.checkpoint()
    reply = await command(emulator, TOWN_HEAD_TG, "/stats 2026")
    text = reply.text or ""
    assert "2026 网格工作统计" in text
    assert "虹桥镇（1 个网格，成员 3 人）" in text
    assert "虹桥镇·工业网格1" in text
    assert "柳市" not in text
    png = await _photo_after(emulator, TOWN_HEAD_TG, mark)
    assert png.startswith(b"\x89PNG")
    photo = emulator.sent_messages(TOWN_HEAD_TG)[-1]
    assert "虹桥镇" in (photo.text or "")


async def test_other_town_head_does_not_see_hongqiao(
    emulator: BotApiEmulator, small_city: SmallCity
) -> None:
    await bind(emulator, small_city, "other_town_head", OTHER_HEAD_TG)
    reply = await command(emulator, OTHER_HEAD_TG, "/stats 2026Q4")
    text = reply.text or ""
    assert "柳市镇（1 个网格，成员 1 人）" in text
    assert "虹桥" not in text


async def test_admin_sees_city_and_towns(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: async_sessionmaker[AsyncSession]
) -> None:
    grid_id = small_city.grids["虹桥镇网格"].id
    assert grid_id is not None
    now = datetime.now(UTC)
    async with sessions() as session, session.begin():
        activity = Activity(
            kind=ActivityKind.STUDY,
            title="学习",
            starts_at=now,
            ends_at=now,
            place="会议室",
            organiser_id=small_city.person_id("instructor"),
            code_secret="s",
            link_token_hash="h",
        )
        session.add(activity)
        await session.flush()
        assert activity.id is not None
        session.add(ActivityGrid(activity_id=activity.id, grid_id=grid_id))
    await bind(emulator, small_city, "admin", ADMIN_TG)
    mark = emulator.checkpoint()
    reply = await command(emulator, ADMIN_TG, "/stats")
    text = reply.text or ""
    assert "全市（2 个网格，成员 4 人）" in text
    assert "活动 1 次（学习 1）" in text
    assert "· 柳市镇：" in text
    assert "· 虹桥镇：活动 1" in text
    assert (await _photo_after(emulator, ADMIN_TG, mark)).startswith(b"\x89PNG")


async def test_bad_period_is_explained(emulator: BotApiEmulator, small_city: SmallCity) -> None:
    await bind(emulator, small_city, "town_head", TOWN_HEAD_TG)
    reply = await command(emulator, TOWN_HEAD_TG, "/stats 2026-13")
    assert "统计周期格式不对" in (reply.text or "")
    # Years no grid lived in (and that date arithmetic cannot hold) are refused the same way.
    for period in ("0001", "9999Q4"):
        reply = await command(emulator, TOWN_HEAD_TG, f"/stats {period}")
        assert "统计周期格式不对" in (reply.text or "")


async def test_member_refused_stats_but_has_mystats(
    emulator: BotApiEmulator, small_city: SmallCity
) -> None:
    await bind(emulator, small_city, "member", MEMBER_TG)
    refused = await command(emulator, MEMBER_TG, "/stats")
    assert "无权使用" in (refused.text or "")
    mine = await command(emulator, MEMBER_TG, "/mystats")
    text = mine.text or ""
    assert "我的考核进度" in text
    assert "虹桥镇·工业网格1（虹桥镇）" in text
    assert "合格线 60 分（奖励 1000–3000 元），优秀线 85 分（奖励 3000–5000 元）" in text
    assert "档次：" in text
    assert "季度活动：" in text
    assert "柳市" not in text


async def test_grid_head_mystats_and_no_grid(
    emulator: BotApiEmulator, small_city: SmallCity
) -> None:
    await bind(emulator, small_city, "grid_head", HEAD_TG)
    mine = await command(emulator, HEAD_TG, "/mystats")
    assert "虹桥镇·工业网格1" in (mine.text or "")
    await bind(emulator, small_city, "town_head", TOWN_HEAD_TG)
    none = await command(emulator, TOWN_HEAD_TG, "/mystats")
    assert "不属于任何三级网格" in (none.text or "")
