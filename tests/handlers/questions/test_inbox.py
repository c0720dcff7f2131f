"""The instructor's side: /questions, hand-overs, and forged buttons refused."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from emulator import BotApiEmulator
from models.enums import QuestionStatus
from services import texts as shared_texts
from services.onboarding import load_viewer
from services.questions import texts
from services.questions.buttons import QuestionAction, QuestionButton, TransferTo
from services.questions.filing import file_question
from tests.conftest import SmallCity
from tests.handlers.chat import bind, command, press
from tests.handlers.questions.scenario import (
    DEPUTY,
    INSTRUCTOR,
    MEMBER,
    OTHER_INSTRUCTOR,
    OTHER_MEMBER,
    UNKNOWN_QUESTION,
    add_other_staff,
    ask_and_file,
    message_with,
    one_question,
)

pytestmark = pytest.mark.usefixtures("bot_app")


async def test_staff_of_another_town_cannot_answer_even_with_forged_buttons(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await add_other_staff(sessions, small_city)
    await bind(emulator, small_city, "member", MEMBER)
    await bind(emulator, small_city, "instructor", INSTRUCTOR)
    await bind(emulator, small_city, "other_instructor", OTHER_INSTRUCTOR)
    await bind(emulator, small_city, "other_member", OTHER_MEMBER)
    question_id = await ask_and_file(emulator, UNKNOWN_QUESTION)
    home = await command(emulator, OTHER_INSTRUCTOR, "/questions")
    assert home.text == texts.QUESTIONS_NONE
    deputy_id = small_city.person_id("deputy")
    for data in (
        QuestionButton(QuestionAction.REPLY, question_id).pack(),
        QuestionButton(QuestionAction.TRANSFER, question_id).pack(),
        TransferTo(question_id, deputy_id).pack(),
        QuestionButton(QuestionAction.ADD_TO_KB, question_id).pack(),
    ):
        answer, touched = await press(emulator, OTHER_INSTRUCTOR, home, data, forge=True)
        assert answer == texts.QUESTION_NOT_YOURS, data
        assert touched is None
    # A member has no ANSWER_QUESTIONS at all; the asker of another question neither.
    answer, _ = await press(
        emulator,
        OTHER_MEMBER,
        home,
        QuestionButton(QuestionAction.REPLY, question_id).pack(),
        forge=True,
    )
    assert answer == shared_texts.FORBIDDEN
    answer, _ = await press(
        emulator,
        OTHER_MEMBER,
        home,
        QuestionButton(QuestionAction.CLOSE, question_id).pack(),
        forge=True,
    )
    assert answer == texts.QUESTION_NOT_YOURS
    # The refused instructor's next text is not taken as a reply.
    await command(emulator, OTHER_INSTRUCTOR, "随便回一句")
    stored = await one_question(sessions, question_id)
    assert stored.status == QuestionStatus.OPEN
    assert stored.assignee_id == small_city.person_id("instructor")


async def test_transfer_to_the_town_deputy(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await add_other_staff(sessions, small_city)
    await bind(emulator, small_city, "member", MEMBER)
    await bind(emulator, small_city, "instructor", INSTRUCTOR)
    await bind(emulator, small_city, "deputy", DEPUTY)
    question_id = await ask_and_file(emulator, UNKNOWN_QUESTION)
    notice = await message_with(emulator, INSTRUCTOR, f"新问题 #{question_id}")
    mark = emulator.checkpoint()
    await press(
        emulator,
        INSTRUCTOR,
        notice,
        QuestionButton(QuestionAction.TRANSFER, question_id).pack(),
        forge=False,
    )
    choices = await message_with(emulator, INSTRUCTOR, "转交给：", after=mark)
    # Only staff of the same town: the 柳市镇 instructor is not offered.
    assert [b["text"] for b in choices.buttons] == ["分管负责人 钱分管（虹桥镇）"]
    deputy_id = small_city.person_id("deputy")
    _, done = await press(
        emulator,
        INSTRUCTOR,
        choices,
        TransferTo(question_id, deputy_id).pack(),
        forge=False,
    )
    assert done is not None
    assert "已转交给分管负责人 钱分管" in (done.text or "")
    handed = await message_with(emulator, DEPUTY, f"问题 #{question_id} 已由 李指导员 转交给您")
    assert UNKNOWN_QUESTION in (handed.text or "")
    assert (await one_question(sessions, question_id)).assignee_id == deputy_id
    # The new assignee answers; the member hears it from the 分管负责人.
    await press(
        emulator,
        DEPUTY,
        handed,
        QuestionButton(QuestionAction.REPLY, question_id).pack(),
        forge=False,
    )
    await command(emulator, DEPUTY, "请到镇统计中心重置密码。")
    relayed = await message_with(emulator, MEMBER, "重置密码")
    assert "分管负责人 钱分管" in (relayed.text or "")
    # A forged hand-over to someone outside the town is refused.
    other_id = small_city.person_id("other_member")
    answer, _ = await press(
        emulator, DEPUTY, handed, TransferTo(question_id, other_id).pack(), forge=True
    )
    assert answer == shared_texts.STALE_BUTTON


async def test_questions_lists_oldest_first_with_reply_buttons(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await bind(emulator, small_city, "member", MEMBER)
    await bind(emulator, small_city, "instructor", INSTRUCTOR)
    now = datetime.now(UTC)
    async with sessions() as session:
        viewer = await load_viewer(session=session, telegram_user_id=MEMBER)
        assert viewer is not None
        newer = await file_question(
            session=session, viewer=viewer, text="较新的问题", now=now - timedelta(hours=1)
        )
        older = await file_question(
            session=session, viewer=viewer, text="较早的问题", now=now - timedelta(days=2)
        )
        await session.commit()
    # The two notices go out through the outbox meanwhile: wait for the listing itself.
    mark = emulator.checkpoint()
    await emulator.send_text(INSTRUCTOR, "/questions")
    listing = await message_with(emulator, INSTRUCTOR, "等待您回复的问题", after=mark)
    text = listing.text or ""
    assert text.index("较早的问题") < text.index("较新的问题")
    assert "2天0小时" in text
    assert [b["callback_data"] for b in listing.buttons] == [
        QuestionButton(QuestionAction.REPLY, older.question.id or 0).pack(),
        QuestionButton(QuestionAction.REPLY, newer.question.id or 0).pack(),
    ]
    _, prompt = await press(
        emulator, INSTRUCTOR, listing, listing.buttons[0]["callback_data"], forge=False
    )
    assert prompt is not None
    assert "较早的问题" in (prompt.text or "")
    # /questions is for those who answer.
    refused = await command(emulator, MEMBER, "/questions")
    assert refused.text == shared_texts.FORBIDDEN


async def test_malformed_question_buttons_are_refused_as_stale(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await bind(emulator, small_city, "member", MEMBER)
    await bind(emulator, small_city, "instructor", INSTRUCTOR)
    question_id = await ask_and_file(emulator, UNKNOWN_QUESTION)
    # The new question's notice first, so that the listing is the last message.
    await message_with(emulator, INSTRUCTOR, f"新问题 #{question_id}")
    home = await command(emulator, INSTRUCTOR, "/questions")
    # Payloads no family packs (a 回复 without an id, the older q:to / q:ok layouts, a hand-over
    # to nobody): one refusal, and the question is untouched.
    for forged in (
        "q:reply:x",
        f"q:to:{question_id}:1",
        "q:ok:1",
        f"qto:{question_id}:x",
    ):
        answer, touched = await press(emulator, INSTRUCTOR, home, forged, forge=True)
        assert answer == shared_texts.STALE_BUTTON, forged
        assert touched is None
    stored = await one_question(sessions, question_id)
    assert stored.status == QuestionStatus.OPEN
    assert stored.assignee_id == small_city.person_id("instructor")
