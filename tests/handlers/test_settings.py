"""/settings through the real bot: the weekly 法治小贴士 switched off and on."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from emulator import BotApiEmulator
from knowledge.base import KnowledgeBase
from models.preferences import law_tip_opt_out
from services.duties.config import DutiesConfig
from services.duties.law_tip import LawTipDuty
from tests.conftest import SmallCity
from tests.handlers.chat import bind, command, press

MEMBER_TG = 8501


@pytest.mark.usefixtures("bot_app")
async def test_settings_toggle_controls_the_weekly_tip(
    emulator: BotApiEmulator,
    small_city: SmallCity,
    sessions: async_sessionmaker[AsyncSession],
    knowledge: KnowledgeBase,
) -> None:
    await bind(emulator, small_city, "member", MEMBER_TG)
    member_id = small_city.person_id("member")
    panel = await command(emulator, MEMBER_TG, "/settings")
    assert [b["text"] for b in panel.buttons] == ["每周法治小贴士：开"]
    duty = LawTipDuty(DutiesConfig(), tz=ZoneInfo("Asia/Shanghai"), tips=knowledge.tips())
    monday = datetime(2026, 11, 30, 10, tzinfo=ZoneInfo("Asia/Shanghai"))

    async def tip_recipients() -> set[int]:
        async with sessions() as session:
            return {r.person_id for r in await duty.reminders(session=session, at=monday)}

    assert member_id in await tip_recipients()

    answer, edited = await press(emulator, MEMBER_TG, panel, "set:lawtip:off", forge=False)
    assert answer == ""
    assert edited is not None
    assert "已关闭" in (edited.text or "")
    assert [b["text"] for b in edited.buttons] == ["每周法治小贴士：关"]
    async with sessions() as session:
        assert await law_tip_opt_out(session=session, person_id=member_id)
    assert member_id not in await tip_recipients()

    # Pressing the old "off" button again changes nothing (it names a state, not a toggle).
    answer, _ = await press(emulator, MEMBER_TG, panel, "set:lawtip:off", forge=True)
    assert answer == "设置未变：已经是这个状态。"
    async with sessions() as session:
        assert await law_tip_opt_out(session=session, person_id=member_id)

    # A forged payload changes nothing either.
    answer, _ = await press(emulator, MEMBER_TG, panel, "set:lawtip:toggle", forge=True)
    assert "已失效" in answer
    async with sessions() as session:
        assert await law_tip_opt_out(session=session, person_id=member_id)

    again = await command(emulator, MEMBER_TG, "/settings")
    assert [b["text"] for b in again.buttons] == ["每周法治小贴士：关"]
    _, edited = await press(emulator, MEMBER_TG, again, "set:lawtip:on", forge=False)
    assert edited is not None
    assert "已开启" in (edited.text or "")
    assert member_id in await tip_recipients()


@pytest.mark.usefixtures("bot_app")
async def test_unbound_user_cannot_use_settings(emulator: BotApiEmulator) -> None:
    emulator.user(8599, first_name="stranger")
    reply = await command(emulator, 8599, "/settings")
    assert "绑定" in (reply.text or "")
