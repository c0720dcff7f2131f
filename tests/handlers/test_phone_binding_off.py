"""A city that hands out personal links only: GRIDBOT_PHONE_BINDING=false."""

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from emulator import BotApiEmulator
from models.tables import TelegramBinding
from tests.conftest import SmallCity
from tests.handlers.chat import bind, command

NEWCOMER = 6101

pytestmark = pytest.mark.usefixtures("bot_app")


@pytest.fixture
def bot_settings() -> dict[str, object]:
    return {"phone_binding": False}


async def test_no_button_and_contacts_do_not_bind(
    emulator: BotApiEmulator,
    small_city: SmallCity,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    emulator.user(NEWCOMER, phone_number="13812345678")
    for start in ("/start", "/start join"):
        reply = await command(emulator, NEWCOMER, start)
        assert "个人邀请链接" in (reply.text or "")
        assert emulator.reply_keyboard(NEWCOMER) is None
    mark = emulator.checkpoint()
    await emulator.send_contact(NEWCOMER)
    refused = await emulator.wait_for_message(NEWCOMER, after=mark)
    assert "未开通手机号绑定" in (refused.text or "")
    async with sessions() as session:
        assert (await session.exec(select(TelegramBinding))).all() == []
    await bind(emulator, small_city, "member", NEWCOMER)
