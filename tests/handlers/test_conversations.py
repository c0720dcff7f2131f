"""One guided conversation at a time per chat: starting one ends any other open in that chat,
drops its draft and says so, and the next text goes to the one just started (issue: /ask, then
/notice, then the notice body filed the body as a question). Every ordered pair of the seven
conversations is driven through the real Application by one person who may run them all."""

from functools import partial

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from emulator import BotApiEmulator
from handlers.context import GridApplication
from models.tables import Question
from services import texts as shared_texts
from tests.conftest import SmallCity
from tests.handlers.flows import FLOWS, TG, conversations, everything_person, say, start, until


def test_every_conversation_is_covered(bot_app: GridApplication) -> None:
    assert set(conversations(bot_app)) == {flow.label for flow in FLOWS.values()}


@pytest.mark.parametrize("first", list(FLOWS))
async def test_starting_a_conversation_ends_the_open_one(
    first: str,
    bot_app: GridApplication,
    emulator: BotApiEmulator,
    sessions: async_sessionmaker[AsyncSession],
    small_city: SmallCity,
) -> None:
    activity, member = await everything_person(emulator, sessions, small_city)
    open_ones = conversations(bot_app)
    earlier = FLOWS[first]
    first_one = open_ones[earlier.label]
    for second, later in FLOWS.items():
        if second == first:
            continue
        pair = f"{first} -> {second}"
        await start(emulator, earlier, activity, member)
        assert await until(partial(first_one.is_open, (TG, TG))), pair
        shown = await start(emulator, later, activity, member)
        replaced = shared_texts.CONVERSATION_REPLACED.format(label=earlier.label)
        assert replaced in [m.text for m in shown], pair
        assert await until(partial(open_ones[later.label].is_open, (TG, TG))), pair
        assert not open_ones[earlier.label].is_open((TG, TG)), pair
        user = bot_app.user_data[TG]
        assert all(user.get(kind) is None for kind in open_ones[earlier.label].drafts), pair
        answer = await say(emulator, later.probe)
        assert later.took(answer.text or ""), f"{pair}: {answer.text!r}"
        await say(emulator, "/cancel")


async def test_a_notice_body_after_ask_is_not_filed_as_a_question(
    bot_app: GridApplication,
    emulator: BotApiEmulator,
    sessions: async_sessionmaker[AsyncSession],
    small_city: SmallCity,
) -> None:
    del bot_app
    activity, member = await everything_person(emulator, sessions, small_city)
    await start(emulator, FLOWS["ask"], activity, member)
    await start(emulator, FLOWS["notice"], activity, member)
    answer = await say(emulator, "请于本月10日前完成联网直报")
    assert "图片或文件" in (answer.text or "")
    async with sessions() as session:
        questions = await session.exec(select(func.count()).select_from(Question))
        assert questions.one() == 0
