"""Per-person limits on questions and follow-ups through the real bot: the question over the
limit is refused in Chinese with the time to try again, nothing of it is stored or reaches the
instructor, and the limit holds across a restart of the bot on the same database."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.app import build_application
from bot.runner import polling
from core.settings import load_settings
from emulator import BotApiEmulator
from knowledge.base import KnowledgeBase
from models.tables import OutboxMessage, Question, QuestionPost
from services.questions.buttons import QuestionAction, QuestionButton
from tests.conftest import BOT_USERNAME, TOKEN, SmallCity
from tests.handlers.chat import bind, command, press
from tests.handlers.questions.scenario import (
    INSTRUCTOR,
    MEMBER,
    UNKNOWN_QUESTION,
    ask_and_file,
    message_with,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
REFUSED = re.compile(r"^提问过于频繁，请在 (?:\d+月\d+日 )?(\d\d:\d\d) 后再试。$")


@pytest.fixture
def bot_settings() -> dict[str, object]:
    return {"questions_per_hour": 3, "followups_per_hour": 1}


def retry_times(first: datetime, last: datetime) -> set[str]:
    """The minutes (rounded up, Shanghai time) an hour after a moment in [first, last]."""
    times, moment = set(), first + timedelta(hours=1)
    while moment <= last + timedelta(hours=1, minutes=1):
        rounded = moment.replace(second=0, microsecond=0)
        if rounded < moment:
            rounded += timedelta(minutes=1)
        times.add(rounded.astimezone(SHANGHAI).strftime("%H:%M"))
        moment += timedelta(seconds=20)
    return times


async def counts(sessions: async_sessionmaker[AsyncSession], small_city: SmallCity) -> tuple:
    instructor = small_city.person_id("instructor")
    async with sessions() as session:
        questions = (await session.exec(select(func.count()).select_from(Question))).one()
        posts = (await session.exec(select(func.count()).select_from(QuestionPost))).one()
        to_instructor = (
            await session.exec(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.person_id == instructor)
            )
        ).one()
    return questions, posts, to_instructor


@pytest.mark.usefixtures("bot_app")
async def test_the_question_over_the_limit_is_refused_and_reaches_nobody(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await bind(emulator, small_city, "member", MEMBER)
    await bind(emulator, small_city, "instructor", INSTRUCTOR)
    first = datetime.now(UTC)
    for n in range(3):
        await ask_and_file(emulator, f"{UNKNOWN_QUESTION}（第{n + 1}次）")
    last = datetime.now(UTC)
    before = await counts(sessions, small_city)
    assert before[0] == 3

    refused = await command(emulator, MEMBER, f"/ask {UNKNOWN_QUESTION}（第4次）")
    found = REFUSED.match(refused.text or "")
    assert found, refused.text
    assert found.group(1) in retry_times(first, last)
    # The other ways in are refused the same way, before anything is kept or sent.
    by_start = await command(emulator, MEMBER, "/start ask")
    assert REFUSED.match(by_start.text or ""), by_start.text
    after_start = await command(emulator, MEMBER, f"{UNKNOWN_QUESTION}（第5次）")
    assert "问题已提交" not in (after_start.text or "")
    # faq's [向指导员提问] under an unanswered question: refused in the chat, nothing filed.
    missed = await command(emulator, MEMBER, UNKNOWN_QUESTION)
    mark = emulator.checkpoint()
    await press(emulator, MEMBER, missed, missed.buttons[0]["callback_data"], forge=False)
    handed = await emulator.wait_for_message(MEMBER, after=mark)
    assert REFUSED.match(handed.text or ""), handed.text
    assert not handed.buttons
    assert await counts(sessions, small_city) == before
    instructor_news = [m for m in emulator.sent_messages(INSTRUCTOR) if "新问题" in (m.text or "")]
    assert len(instructor_news) <= 3


@pytest.mark.usefixtures("bot_app")
async def test_a_follow_up_over_the_limit_is_refused(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await bind(emulator, small_city, "member", MEMBER)
    await bind(emulator, small_city, "instructor", INSTRUCTOR)
    question_id = await ask_and_file(emulator, UNKNOWN_QUESTION)
    notice = await message_with(emulator, INSTRUCTOR, f"新问题 #{question_id}")
    reply = QuestionButton(QuestionAction.REPLY, question_id).pack()
    await press(emulator, INSTRUCTOR, notice, reply, forge=False)
    mark = emulator.checkpoint()
    await command(emulator, INSTRUCTOR, "请在一套表平台点击忘记密码。")
    relayed = await message_with(emulator, MEMBER, "回复了您的问题", after=mark)
    follow = QuestionButton(QuestionAction.FOLLOW, question_id).pack()

    _, prompt = await press(emulator, MEMBER, relayed, follow, forge=False)
    assert prompt is not None
    assert f"对问题 #{question_id} 的追问" in (prompt.text or "")
    # Starting a follow-up and cancelling it counts nothing; one sent does.
    await command(emulator, MEMBER, "/cancel")
    _, prompt = await press(emulator, MEMBER, relayed, follow, forge=False)
    assert prompt is not None
    sent = await command(emulator, MEMBER, "还是登录不了")
    assert "追问已发送" in (sent.text or ""), sent.text
    before = await counts(sessions, small_city)
    alert, touched = await press(emulator, MEMBER, relayed, follow, forge=False)
    assert re.fullmatch(r"追问过于频繁，请在 (?:\d+月\d+日 )?\d\d:\d\d 后再试。", alert), alert
    assert touched is None
    # The text sent next is no follow-up.
    after = await command(emulator, MEMBER, "还是不行")
    assert "追问已发送" not in (after.text or "")
    assert await counts(sessions, small_city) == before


async def test_the_question_limit_holds_after_a_restart(
    emulator: BotApiEmulator,
    small_city: SmallCity,
    sessions: async_sessionmaker[AsyncSession],
    database_url: str,
    knowledge: KnowledgeBase,
) -> None:
    settings = load_settings(
        token=TOKEN,
        database_url=database_url,
        api_base_url=emulator.base_url,
        bot_username=BOT_USERNAME,
        quiet_hours=False,
        duty_first_run_seconds=24 * 3600,
        questions_per_hour=2,
    )
    async with polling(build_application(settings, knowledge=knowledge), poll_timeout=1):
        await bind(emulator, small_city, "member", MEMBER)
        await bind(emulator, small_city, "instructor", INSTRUCTOR)
        await ask_and_file(emulator, f"{UNKNOWN_QUESTION}（一）")
        await ask_and_file(emulator, f"{UNKNOWN_QUESTION}（二）")
    before = await counts(sessions, small_city)
    async with polling(build_application(settings, knowledge=knowledge), poll_timeout=1):
        refused = await command(emulator, MEMBER, f"/ask {UNKNOWN_QUESTION}（三）")
        assert REFUSED.match(refused.text or ""), refused.text
    assert await counts(sessions, small_city) == before
    assert before[0] == 2
