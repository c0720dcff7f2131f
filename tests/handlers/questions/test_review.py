"""[加入知识库] and /faqreview: an approved answer becomes searchable with an honest source."""

from datetime import datetime

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from emulator import BotApiEmulator
from models.enums import CandidateStatus
from models.tables import FaqCandidate
from services import texts as shared_texts
from services.answers import texts as answers_texts
from services.questions import texts
from services.questions.buttons import QuestionAction, QuestionButton
from tests.conftest import SmallCity
from tests.handlers.chat import bind, command, press
from tests.handlers.questions.scenario import (
    ADMIN,
    INSTRUCTOR,
    MEMBER,
    SHANGHAI,
    UNKNOWN_QUESTION,
    ask_and_file,
    data_of,
    message_with,
)

pytestmark = pytest.mark.usefixtures("bot_app")


async def test_approved_answer_becomes_searchable_with_an_honest_source(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await bind(emulator, small_city, "member", MEMBER)
    await bind(emulator, small_city, "instructor", INSTRUCTOR)
    await bind(emulator, small_city, "admin", ADMIN)
    before = await command(emulator, MEMBER, UNKNOWN_QUESTION)
    assert before.text == answers_texts.FAQ_ABSTAIN
    question_id = await ask_and_file(emulator, UNKNOWN_QUESTION)
    notice = await message_with(emulator, INSTRUCTOR, f"新问题 #{question_id}")
    await press(
        emulator,
        INSTRUCTOR,
        notice,
        QuestionButton(QuestionAction.REPLY, question_id).pack(),
        forge=False,
    )
    replied = await command(emulator, INSTRUCTOR, "联系乡镇统计中心，由管理员在平台上重置密码。")
    mark = emulator.checkpoint()
    await press(
        emulator, INSTRUCTOR, replied, data_of(replied, texts.QUESTION_ADD_TO_KB), forge=False
    )
    await message_with(emulator, INSTRUCTOR, texts.CANDIDATE_CREATED, after=mark)
    again, _ = await press(
        emulator,
        INSTRUCTOR,
        replied,
        QuestionButton(QuestionAction.ADD_TO_KB, question_id).pack(),
        forge=True,
    )
    assert again == texts.CANDIDATE_EXISTS.format(status=CandidateStatus.PENDING.value)

    refused = await command(emulator, INSTRUCTOR, "/faqreview")
    assert refused.text == shared_texts.FORBIDDEN
    review = await command(emulator, ADMIN, "/faqreview")
    assert UNKNOWN_QUESTION in (review.text or "")
    assert "重置密码" in (review.text or "")
    # A forged review payload, or one in /faqreview's older q:ok layout, decides nothing.
    for forged in ("qrv:x:1", "qrv:1:2", "q:ok:1"):
        answer, _ = await press(emulator, ADMIN, review, forged, forge=True)
        assert answer == shared_texts.STALE_BUTTON, forged
    mark = emulator.checkpoint()
    await press(emulator, ADMIN, review, data_of(review, texts.FAQREVIEW_APPROVE), forge=False)
    await message_with(emulator, ADMIN, texts.FAQREVIEW_APPROVED, after=mark)
    async with sessions() as session:
        candidate = (await session.exec(select(FaqCandidate))).one()
    assert candidate.status == CandidateStatus.APPROVED
    assert candidate.author_id == small_city.person_id("instructor")

    after = await command(emulator, MEMBER, "一套表平台登录密码忘了怎么办")
    text = after.text or ""
    assert "重置密码" in text, text
    today = datetime.now(SHANGHAI).date().isoformat()
    assert f"来源：网格指导员解答（审核通过，{today}）" in text
    assert "依据" not in text
    assert "《" not in text
