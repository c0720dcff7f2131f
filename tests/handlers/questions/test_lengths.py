"""Questions and answers as long as Telegram allows once every message showing them is counted
(the question alone in the instructor's notice, the pair in /faqreview and /faq): the longest
accepted texts go through; one unit more is refused in Chinese and the user may send another;
an old candidate longer than that is shown cut in /faqreview and the queue goes on."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.formatting import TEXT_LIMIT, TRUNCATED_MARK, rendered_len, utf16_len
from emulator import BotApiEmulator
from knowledge.base import local_entry
from models.db import transaction
from models.enums import CandidateStatus, QuestionStatus
from models.tables import FaqCandidate, Grid, Question
from services.answers.render import render_entry
from services.questions import texts
from services.questions.buttons import QuestionAction, QuestionButton
from services.questions.candidates import REVIEW_BATCH
from services.questions.inbox import INBOX_SHOWN
from services.questions.limits import MAX_ANSWER_CHARS, MAX_QUESTION_CHARS
from tests.conftest import SmallCity
from tests.handlers.chat import bind, command, press
from tests.handlers.questions.scenario import (
    ADMIN,
    INSTRUCTOR,
    MEMBER,
    ask_and_file,
    data_of,
    message_with,
)

pytestmark = pytest.mark.usefixtures("bot_app")
Sessions = async_sessionmaker[AsyncSession]


def _text(units: int, head: str) -> str:
    head = f"{head}😀&<>"
    return head + "填" * (units - utf16_len(head))


async def test_the_longest_question_and_answer_go_through_and_one_more_is_refused(
    emulator: BotApiEmulator, small_city: SmallCity
) -> None:
    assert 1000 < MAX_QUESTION_CHARS < MAX_ANSWER_CHARS < TEXT_LIMIT
    await bind(emulator, small_city, "member", MEMBER)
    await bind(emulator, small_city, "instructor", INSTRUCTOR)
    await bind(emulator, small_city, "admin", ADMIN)

    refused = await command(emulator, MEMBER, f"/ask {_text(MAX_QUESTION_CHARS + 1, '问')}")
    assert f"问题最多 {MAX_QUESTION_CHARS} 字" in (refused.text or "")
    assert "超出 1 字" in (refused.text or "")
    await command(emulator, MEMBER, "/cancel")
    question = _text(MAX_QUESTION_CHARS, "问")
    question_id = await ask_and_file(emulator, question)
    notice = await message_with(emulator, INSTRUCTOR, f"新问题 #{question_id}")
    assert question in (notice.text or "")

    _, prompt = await press(
        emulator,
        INSTRUCTOR,
        notice,
        QuestionButton(QuestionAction.REPLY, question_id).pack(),
        forge=False,
    )
    assert prompt is not None
    assert question[:50] in (prompt.text or "")
    refused = await command(emulator, INSTRUCTOR, _text(MAX_ANSWER_CHARS + 1, "答"))
    assert f"回复最多 {MAX_ANSWER_CHARS} 字" in (refused.text or "")
    assert "超出 1 字" in (refused.text or "")
    answer = _text(MAX_ANSWER_CHARS, "答")
    replied = await command(emulator, INSTRUCTOR, answer)
    assert "回复已发送" in (replied.text or "")
    relay = await message_with(emulator, MEMBER, f"回复了您的问题 #{question_id}")
    assert answer in (relay.text or "")

    mark = emulator.checkpoint()
    await press(
        emulator, INSTRUCTOR, replied, data_of(replied, texts.QUESTION_ADD_TO_KB), forge=False
    )
    await message_with(emulator, INSTRUCTOR, texts.CANDIDATE_CREATED, after=mark)
    review = await command(emulator, ADMIN, "/faqreview")
    assert question in (review.text or "")
    assert answer in (review.text or "")  # whole: nothing cut
    mark = emulator.checkpoint()
    await press(emulator, ADMIN, review, data_of(review, texts.FAQREVIEW_APPROVE), forge=False)
    await message_with(emulator, ADMIN, texts.FAQREVIEW_APPROVED, after=mark)
    # The approved pair, as /faq shows it, fits a message whole.
    entry = local_entry(
        key="1", question=question, answer=answer, approved_on=datetime.now(UTC).date()
    )
    assert rendered_len(render_entry(entry)) <= TEXT_LIMIT


async def test_an_overlong_candidate_is_shown_cut_and_the_queue_goes_on(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: Sessions
) -> None:
    await bind(emulator, small_city, "admin", ADMIN)
    start = datetime(2026, 11, 2, 9, tzinfo=UTC)
    async with transaction(sessions) as session:
        # Proposed under the old fixed limits (1500 + 3000 characters): longer than a message.
        session.add(
            FaqCandidate(
                question="旧" * 1500,
                answer="长" * 2999 + "尾",
                author_id=small_city.person_id("instructor"),
                created_at=start,
            )
        )
        for i in range(REVIEW_BATCH + 2):
            session.add(
                FaqCandidate(
                    question=f"后面的问题{i}",
                    answer=f"后面的回答{i}",
                    author_id=small_city.person_id("instructor"),
                    created_at=start + timedelta(minutes=i + 1),
                )
            )
    mark = emulator.checkpoint()
    await emulator.send_text(ADMIN, "/faqreview")
    more = await message_with(emulator, ADMIN, "还有 3 条待审核", after=mark)
    shown = [m for m in emulator.sent_messages(ADMIN) if mark < m.seq < more.seq]
    assert len(shown) == REVIEW_BATCH
    cut = shown[0].text or ""
    assert cut.endswith(TRUNCATED_MARK)
    assert "旧" * 1500 in cut
    assert "尾" not in cut
    assert len(cut) <= TEXT_LIMIT
    assert [b["text"] for b in shown[0].buttons] == [
        texts.FAQREVIEW_APPROVE,
        texts.FAQREVIEW_REJECT,
    ]
    assert [f"后面的问题{i}" in (m.text or "") for i, m in enumerate(shown[1:])] == [True] * 9
    # The cut one is decided like any other: its whole answer is kept.
    await press(emulator, ADMIN, shown[0], data_of(shown[0], texts.FAQREVIEW_REJECT), forge=False)
    async with sessions() as session:
        first = (await session.exec(select(FaqCandidate).order_by(FaqCandidate.id))).first()  # type: ignore[arg-type]
    assert first is not None
    assert first.status == CandidateStatus.REJECTED
    assert first.answer.endswith("尾")


async def test_a_long_inbox_shows_what_fits_and_how_many_more_wait(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: Sessions
) -> None:
    await bind(emulator, small_city, "instructor", INSTRUCTOR)
    grid_id = small_city.grids["虹桥镇网格"].id
    assert grid_id is not None
    since = datetime(2026, 11, 2, 9, tzinfo=UTC)
    async with transaction(sessions) as session:
        grid = await session.get(Grid, grid_id)
        assert grid is not None
        grid.name = "网" * 100  # the longest grid name: 30 lines would not fit one message
        session.add(grid)
        session.add_all(
            Question(
                asker_id=small_city.person_id("member"),
                grid_id=grid_id,
                assignee_id=small_city.person_id("instructor"),
                text=f"第{i}个问题" + "很长" * 50,
                status=QuestionStatus.OPEN,
                waiting_since=since + timedelta(minutes=i),
            )
            for i in range(30)
        )
    inbox = await command(emulator, INSTRUCTOR, "/questions")
    text = inbox.text or ""
    assert len(text) <= TEXT_LIMIT
    assert "等待您回复的问题（30个" in text
    shown = len(inbox.buttons)
    assert 0 < shown <= INBOX_SHOWN
    assert f"还有 {30 - shown} 个问题等待回复" in text
    assert all(f"第{i}个问题" in text for i in range(shown))  # the oldest first
    assert f"第{shown}个问题" not in text


async def test_a_long_todo_shows_what_fits_and_how_many_lines_are_left(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: Sessions
) -> None:
    await bind(emulator, small_city, "instructor", INSTRUCTOR)
    grid_id = small_city.grids["虹桥镇网格"].id
    assert grid_id is not None
    since = datetime(2026, 11, 2, 9, tzinfo=UTC)
    async with transaction(sessions) as session:
        session.add_all(
            Question(
                asker_id=small_city.person_id("member"),
                grid_id=grid_id,
                assignee_id=small_city.person_id("instructor"),
                text=f"第{i}个问题" + "很长" * 50,
                status=QuestionStatus.OPEN,
                waiting_since=since + timedelta(minutes=i),
            )
            for i in range(120)
        )
    todo = await command(emulator, INSTRUCTOR, "/todo")
    text = todo.text or ""
    assert text.startswith("我的待办")
    assert len(text) <= TEXT_LIMIT
    assert "第0个问题" in text
    assert "…另有" in text
    assert "（全文见附件/详情" in text
