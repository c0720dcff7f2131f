"""/duties through the real bot: the month's reports and the quarter's activities, scoped to
what the viewer's roles cover."""

import asyncio
import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from emulator import BotApiEmulator
from models.db import transaction
from models.enums import GridLevel, Industry
from models.tables import Grid, MonthlyReport
from services import texts as shared_texts
from tests.conftest import SmallCity
from tests.handlers.chat import bind, command

ADMIN_TG, TOWN_HEAD_TG, GRID_HEAD_TG, MEMBER_TG, OTHER_HEAD_TG = 8401, 8402, 8403, 8404, 8405

pytestmark = pytest.mark.usefixtures("bot_app")


@pytest.fixture
async def reported(sessions: async_sessionmaker[AsyncSession], small_city: SmallCity) -> SmallCity:
    """虹桥镇's grid has submitted this month's report; 柳市镇's has not."""
    # /duties shows the current month: the report is for the month the test runs in.
    period = datetime.now(UTC).astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")
    async with transaction(sessions) as session:
        session.add(
            MonthlyReport(
                grid_id=small_city.grids["虹桥镇网格"].id or 0,
                period=period,
                author_id=small_city.person_id("grid_head"),
                activities="开展统计法宣传",
                problems="无",
                help_needed="无",
                plan="继续",
            )
        )
    return small_city


async def test_the_admin_sees_every_town(emulator: BotApiEmulator, reported: SmallCity) -> None:
    await bind(emulator, reported, "admin", ADMIN_TG)
    text = (await command(emulator, ADMIN_TG, "/duties")).text or ""
    assert "网格月度情况汇报" in text
    assert "虹桥镇（已提交 1/1）" in text
    assert "虹桥镇·工业网格1：王网格长" in text
    assert "柳市镇（已提交 0/1）" in text
    assert "柳市镇·工业网格1：❌ 未提交（网格长：未配备）" in text
    assert "二级网格长尚未确认听取汇报" in text
    assert "网格活动" in text
    assert "本季度尚无活动" in text


async def test_a_town_head_sees_only_their_town(
    emulator: BotApiEmulator, reported: SmallCity
) -> None:
    await bind(emulator, reported, "town_head", TOWN_HEAD_TG)
    await bind(emulator, reported, "other_town_head", OTHER_HEAD_TG)
    text = (await command(emulator, TOWN_HEAD_TG, "/duties")).text or ""
    assert "虹桥镇（已提交 1/1）" in text
    assert "柳市" not in text
    other = (await command(emulator, OTHER_HEAD_TG, "/duties")).text or ""
    assert "柳市镇（已提交 0/1）" in other
    assert "虹桥" not in other


async def test_grid_staff_see_their_grid_and_members_are_refused(
    emulator: BotApiEmulator, reported: SmallCity
) -> None:
    await bind(emulator, reported, "grid_head", GRID_HEAD_TG)
    await bind(emulator, reported, "member", MEMBER_TG)
    text = (await command(emulator, GRID_HEAD_TG, "/duties")).text or ""
    assert "虹桥镇·工业网格1" in text
    assert "柳市" not in text
    refused = await command(emulator, MEMBER_TG, "/duties")
    assert refused.text == shared_texts.FORBIDDEN


async def test_a_city_of_many_grids_comes_in_messages_that_fit(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: async_sessionmaker[AsyncSession]
) -> None:
    town = small_city.grids["柳市镇"]
    async with transaction(sessions) as session:
        session.add_all(
            Grid(
                level=GridLevel.GRID,
                name=f"{n:02d}" + "网" * 98,
                parent_id=town.id,
                industry=Industry.INDUSTRY,
                seq=n + 2,
            )
            for n in range(40)
        )
    await bind(emulator, small_city, "admin", ADMIN_TG)
    mark = emulator.checkpoint()
    await emulator.send_text(ADMIN_TG, "/duties")
    name = "网" * 98

    def parts() -> list[str]:
        return [m.text or "" for m in emulator.sent_messages(ADMIN_TG) if m.seq > mark]

    deadline = time.monotonic() + 15
    while "".join(parts()).count(name) < 80:  # each grid in the month's and the quarter's list
        if time.monotonic() > deadline:
            break
        await asyncio.sleep(0.05)
    sent = parts()
    assert len(sent) > 1
    assert all(len(part) <= 4096 for part in sent)
    assert "".join(sent).count(name) == 80
