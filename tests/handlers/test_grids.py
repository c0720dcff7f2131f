"""/grid through the real bot: scope per role, and forged callback data refused on the server."""

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from emulator import BotApiEmulator
from models.db import transaction
from models.enums import Industry, Scale
from models.tables import SurveyObject
from tests.conftest import SmallCity
from tests.factories import valid_uscc
from tests.handlers.chat import bind, command, press

ADMIN_TG, TOWN_HEAD_TG, INSTRUCTOR_TG, MEMBER_TG = 8001, 8002, 8003, 8004

pytestmark = pytest.mark.usefixtures("bot_app")


async def test_town_head_browses_own_town_and_grid_members(
    emulator: BotApiEmulator, small_city: SmallCity
) -> None:
    await bind(emulator, small_city, "town_head", TOWN_HEAD_TG)
    await bind(emulator, small_city, "member", MEMBER_TG)
    town = await command(emulator, TOWN_HEAD_TG, "/grid")
    assert "虹桥镇" in (town.text or "")
    assert [b["text"] for b in town.buttons] == ["虹桥镇·工业网格1（2家）"]
    answer, grid = await press(
        emulator, TOWN_HEAD_TG, town, town.callback_data("虹桥镇·工业网格1（2家）"), forge=False
    )
    assert answer == ""
    assert grid is not None
    text = grid.text or ""
    assert "企业 2 家，统计员已绑定 2 家" in text
    assert "乐清市虹桥电气有限公司｜陈统计 138****5678｜已绑定" in text
    assert "网格长：王网格长 139****0004" in text
    assert "网格指导员：李指导员 139****0005" in text
    assert "13812345678" not in text  # full mobiles never shown
    assert "柳市" not in text


async def test_forged_callback_for_another_town_is_refused(
    emulator: BotApiEmulator, small_city: SmallCity
) -> None:
    await bind(emulator, small_city, "town_head", TOWN_HEAD_TG)
    town = await command(emulator, TOWN_HEAD_TG, "/grid")
    other_town = small_city.grids["柳市镇"].id
    other_grid = small_city.grids["柳市镇网格"].id
    for data in (f"grid:t:{other_town}", f"grid:g:{other_grid}", "grid:c"):
        answer, edited = await press(emulator, TOWN_HEAD_TG, town, data, forge=True)
        assert "不在您的管辖范围" in answer
        assert edited is None
    for data in ("grid:g:999999", "grid:x:1", "grid:g:1;drop", f"grid:t:{other_grid}"):
        answer, edited = await press(emulator, TOWN_HEAD_TG, town, data, forge=True)
        assert "已失效" in answer
        assert edited is None


async def test_admin_sees_city_and_instructor_only_own_grid(
    emulator: BotApiEmulator, small_city: SmallCity
) -> None:
    await bind(emulator, small_city, "admin", ADMIN_TG)
    await bind(emulator, small_city, "instructor", INSTRUCTOR_TG)
    city = await command(emulator, ADMIN_TG, "/grid")
    assert sorted(b["text"] for b in city.buttons) == ["柳市镇", "虹桥镇"]
    _, town = await press(emulator, ADMIN_TG, city, city.callback_data("柳市镇"), forge=False)
    assert town is not None
    assert [b["text"] for b in town.buttons] == ["柳市镇·工业网格1（1家）", "« 返回"]

    own = await command(emulator, INSTRUCTOR_TG, "/grid")
    assert "虹桥镇·工业网格1" in (own.text or "")
    assert "企业 2 家" in (own.text or "")
    # The grid's own staff reach its members: numbers in full (the town head's are masked).
    assert "陈统计 +86 13812345678" in (own.text or "")
    answer, edited = await press(
        emulator, INSTRUCTOR_TG, own, f"grid:g:{small_city.grids['柳市镇网格'].id}", forge=True
    )
    assert "不在您的管辖范围" in answer
    assert edited is None


async def test_member_may_not_use_grid_even_by_forged_button(
    emulator: BotApiEmulator, small_city: SmallCity
) -> None:
    await bind(emulator, small_city, "member", MEMBER_TG)
    refused = await command(emulator, MEMBER_TG, "/grid")
    assert "无权使用" in (refused.text or "")
    me = await command(emulator, MEMBER_TG, "/me")
    answer, edited = await press(
        emulator, MEMBER_TG, me, f"grid:g:{small_city.grids['虹桥镇网格'].id}", forge=True
    )
    assert "无权使用" in answer
    assert edited is None


async def test_a_grid_of_many_enterprises_is_listed_as_far_as_a_message_goes(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: async_sessionmaker[AsyncSession]
) -> None:
    grid = small_city.grids["虹桥镇网格"]
    async with transaction(sessions) as session:
        session.add_all(
            SurveyObject(
                name=f"乐清市{n:03d}" + "长" * 60 + "有限公司",
                uscc=valid_uscc(7000 + n),
                industry=Industry.INDUSTRY,
                scale=Scale.ABOVE_SCALE,
                town_id=grid.parent_id,
                grid_id=grid.id,
            )
            for n in range(80)
        )
    await bind(emulator, small_city, "town_head", TOWN_HEAD_TG)
    town = await command(emulator, TOWN_HEAD_TG, "/grid")
    label = "虹桥镇·工业网格1（82家）"
    answer, shown = await press(
        emulator, TOWN_HEAD_TG, town, town.callback_data(label), forge=False
    )
    assert answer == ""
    assert shown is not None
    text = shown.text or ""
    assert len(text) <= 4096
    assert "企业 82 家" in text
    assert "乐清市000" in text
    assert "…另有" in text
    assert text.endswith("（全文见附件/详情）")
    assert [b["text"] for b in shown.buttons] == ["« 返回"]
