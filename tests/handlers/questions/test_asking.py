"""/ask through the real bot: suggestions first, filing, replies, closing, faq's hand-off."""

import sqlite3

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from emulator import BotApiEmulator
from models.enums import QuestionStatus, Role
from models.tables import OutboxMessage, Question
from services.answers import texts as answers_texts
from services.questions import texts
from services.questions.buttons import QuestionAction, QuestionButton
from tests.conftest import SmallCity
from tests.handlers.chat import bind, command, press
from tests.handlers.questions.scenario import (
    ADMIN,
    INSTRUCTOR,
    KNOWN_QUESTION,
    MEMBER,
    OTHER_MEMBER,
    UNKNOWN_QUESTION,
    add_staff,
    data_of,
    message_with,
    one_question,
)

pytestmark = pytest.mark.usefixtures("bot_app")


async def test_ask_suggest_file_reply_and_close(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await bind(emulator, small_city, "member", MEMBER)
    await bind(emulator, small_city, "instructor", INSTRUCTOR)
    suggestions = await command(emulator, MEMBER, f"/ask {KNOWN_QUESTION}")
    assert texts.ASK_KB_HEADING in (suggestions.text or "")
    assert "依据：" in (suggestions.text or "")
    labels = [b["text"] for b in suggestions.buttons]
    assert labels[-2:] == [texts.ASK_SOLVED, texts.ASK_STILL]
    assert 1 <= len(labels) - 2 <= 3
    # Nothing is stored while the member decides.
    async with sessions() as session:
        assert (await session.exec(select(Question))).all() == []

    mark = emulator.checkpoint()
    await press(emulator, MEMBER, suggestions, data_of(suggestions, texts.ASK_STILL), forge=False)
    filed = await message_with(emulator, MEMBER, "问题已提交", after=mark)
    question_id = int((filed.text or "").split("#")[1].split("）")[0])

    notice = await message_with(emulator, INSTRUCTOR, f"新问题 #{question_id}")
    assert KNOWN_QUESTION in (notice.text or "")
    assert "陈统计" in (notice.text or "")
    assert [b["text"] for b in notice.buttons] == [texts.QUESTION_REPLY, texts.QUESTION_TRANSFER]

    _, prompt = await press(
        emulator,
        INSTRUCTOR,
        notice,
        QuestionButton(QuestionAction.REPLY, question_id).pack(),
        forge=False,
    )
    assert prompt is not None
    assert f"请发送对问题 #{question_id} 的回复" in (prompt.text or "")
    replied = await command(emulator, INSTRUCTOR, "要建立台账，被查到可能罚款，尽快补建。")
    assert "回复已发送给 陈统计" in (replied.text or "")
    assert [b["text"] for b in replied.buttons] == [texts.QUESTION_ADD_TO_KB]

    relayed = await message_with(emulator, MEMBER, "回复了您的问题")
    assert "网格指导员 李指导员" in (relayed.text or "")
    assert "尽快补建" in (relayed.text or "")
    assert [b["text"] for b in relayed.buttons] == [texts.QUESTION_FOLLOW, texts.QUESTION_CLOSE]
    stored = await one_question(sessions, question_id)
    assert stored.status == QuestionStatus.ANSWERED
    assert stored.waiting_since is None

    # A follow-up goes back to the instructor and restarts the wait.
    _, follow_prompt = await press(
        emulator,
        MEMBER,
        relayed,
        QuestionButton(QuestionAction.FOLLOW, question_id).pack(),
        forge=False,
    )
    assert follow_prompt is not None
    mark = emulator.checkpoint()
    sent = await command(emulator, MEMBER, "那补建要多久？")
    assert "追问已发送给 李指导员" in (sent.text or "")
    followup = await message_with(emulator, INSTRUCTOR, "有追问", after=mark)
    assert "那补建要多久" in (followup.text or "")
    assert (await one_question(sessions, question_id)).status == QuestionStatus.OPEN

    await press(
        emulator,
        INSTRUCTOR,
        followup,
        QuestionButton(QuestionAction.REPLY, question_id).pack(),
        forge=False,
    )
    mark = emulator.checkpoint()
    await command(emulator, INSTRUCTOR, "一周内。")
    second = await message_with(emulator, MEMBER, "一周内", after=mark)
    mark = emulator.checkpoint()
    await press(
        emulator,
        MEMBER,
        second,
        QuestionButton(QuestionAction.CLOSE, question_id).pack(),
        forge=False,
    )
    await message_with(emulator, MEMBER, texts.QUESTION_CLOSED.format(id=question_id), after=mark)
    closed = await one_question(sessions, question_id)
    assert closed.status == QuestionStatus.CLOSED
    assert closed.closed_at is not None
    # A closed question takes no more replies.
    answer, _ = await press(
        emulator,
        INSTRUCTOR,
        followup,
        QuestionButton(QuestionAction.REPLY, question_id).pack(),
        forge=True,
    )
    assert answer == texts.QUESTION_ALREADY_CLOSED


async def test_solved_by_the_suggestions_files_nothing(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await bind(emulator, small_city, "member", MEMBER)
    await bind(emulator, small_city, "instructor", INSTRUCTOR)
    suggestions = await command(emulator, MEMBER, f"/ask {KNOWN_QUESTION}")
    mark = emulator.checkpoint()
    await press(emulator, MEMBER, suggestions, data_of(suggestions, texts.ASK_SOLVED), forge=False)
    await message_with(emulator, MEMBER, texts.ASK_SOLVED_DONE, after=mark)
    async with sessions() as session:
        assert (await session.exec(select(Question))).all() == []
        assert (await session.exec(select(OutboxMessage))).all() == []
    # The conversation is over: the [仍需提问] button no longer files anything.
    answer, _ = await press(emulator, MEMBER, suggestions, "ask:file", forge=True)
    assert answer == texts.ASK_STALE
    async with sessions() as session:
        assert (await session.exec(select(Question))).all() == []


async def test_written_question_without_matches_is_filed_directly_and_cancel_works(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await bind(emulator, small_city, "member", MEMBER)
    await bind(emulator, small_city, "instructor", INSTRUCTOR)
    prompt = await command(emulator, MEMBER, "/ask")
    assert prompt.text == texts.ASK_PROMPT
    cancelled = await command(emulator, MEMBER, "/cancel")
    assert cancelled.text == texts.ASK_CANCELLED
    await command(emulator, MEMBER, "/ask")
    filed = await command(emulator, MEMBER, UNKNOWN_QUESTION)
    assert "问题已提交给网格指导员 李指导员" in (filed.text or "")
    async with sessions() as session:
        stored = (await session.exec(select(Question))).one()
    assert stored.text == UNKNOWN_QUESTION
    assert stored.status == QuestionStatus.OPEN
    assert stored.waiting_since is not None


async def test_faq_handoff_button_starts_ask_with_the_question(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await bind(emulator, small_city, "member", MEMBER)
    await bind(emulator, small_city, "instructor", INSTRUCTOR)
    await bind(emulator, small_city, "other_member", OTHER_MEMBER)
    missed = await command(emulator, MEMBER, UNKNOWN_QUESTION)
    assert [b["text"] for b in missed.buttons] == [answers_texts.FAQ_ASK_INSTRUCTOR]
    mark = emulator.checkpoint()
    await press(emulator, MEMBER, missed, missed.buttons[0]["callback_data"], forge=False)
    prefilled = await message_with(emulator, MEMBER, "将把以下问题转给您的网格指导员", after=mark)
    assert UNKNOWN_QUESTION in (prefilled.text or "")
    mark = emulator.checkpoint()
    await press(emulator, MEMBER, prefilled, data_of(prefilled, texts.ASK_SUBMIT), forge=False)
    await message_with(emulator, MEMBER, "问题已提交给网格指导员 李指导员", after=mark)
    async with sessions() as session:
        stored = (await session.exec(select(Question))).one()
    assert stored.text == UNKNOWN_QUESTION

    # Nobody in 柳市镇网格 answers questions: the hand-off shows whom to call instead.
    other_missed = await command(emulator, OTHER_MEMBER, UNKNOWN_QUESTION)
    _, contacts = await press(
        emulator, OTHER_MEMBER, other_missed, other_missed.buttons[0]["callback_data"], forge=False
    )
    assert contacts is not None
    assert contacts.text == answers_texts.HANDOFF_NOBODY
    await add_staff(
        sessions,
        small_city,
        "other_grid_head",
        name="孙网格长",
        mobile="13900000013",
        grid="柳市镇网格",
        role=Role.GRID_HEAD,
    )
    mark = emulator.checkpoint()
    await press(
        emulator, OTHER_MEMBER, other_missed, other_missed.buttons[0]["callback_data"], forge=False
    )
    listed = await emulator.wait_for_message(OTHER_MEMBER, after=mark)
    assert "网格长 孙网格长 +86 13900000013（柳市镇·工业网格1）" in (listed.text or "")


async def test_start_ask_from_inline_mode_opens_ask(
    emulator: BotApiEmulator, small_city: SmallCity
) -> None:
    await bind(emulator, small_city, "member", MEMBER)
    await bind(emulator, small_city, "instructor", INSTRUCTOR)
    prompt = await command(emulator, MEMBER, "/start ask")
    assert prompt.text == texts.ASK_PROMPT
    filed = await command(emulator, MEMBER, UNKNOWN_QUESTION)
    assert "问题已提交" in (filed.text or "")


async def test_people_outside_level3_grids_cannot_ask(
    emulator: BotApiEmulator, small_city: SmallCity
) -> None:
    await bind(emulator, small_city, "town_head", ADMIN)
    refused = await command(emulator, ADMIN, "/ask 有个问题")
    assert refused.text == texts.ASK_NOT_IN_GRID


async def test_a_locked_database_leaves_the_buttons_and_says_so(
    emulator: BotApiEmulator,
    small_city: SmallCity,
    sessions: async_sessionmaker[AsyncSession],
    database_url: str,
) -> None:
    # The reproduced defect: with SQLite locked, [仍需提问] removed the buttons, saved nothing
    # and said nothing. Now the buttons go only once the question is filed.
    if not database_url.startswith("sqlite"):
        pytest.skip("holds SQLite's write lock")
    await bind(emulator, small_city, "member", MEMBER)
    await bind(emulator, small_city, "instructor", INSTRUCTOR)
    suggestions = await command(emulator, MEMBER, f"/ask {KNOWN_QUESTION}")
    still = data_of(suggestions, texts.ASK_STILL)
    locker = sqlite3.connect(database_url.split("///", 1)[1], isolation_level=None)
    try:
        locker.execute("BEGIN IMMEDIATE")
        mark = emulator.checkpoint()
        await emulator.press_button(MEMBER, suggestions.message_id, still)
        told = await emulator.wait_for_message(
            MEMBER, lambda m: "出错了" in (m.text or ""), after=mark, timeout=15
        )
    finally:
        locker.rollback()
        locker.close()
    assert "/ask" in (told.text or "")
    [shown] = [m for m in emulator.sent_messages(MEMBER) if m.message_id == suggestions.message_id]
    assert shown.buttons == suggestions.buttons
    async with sessions() as session:
        assert (await session.exec(select(Question))).all() == []
