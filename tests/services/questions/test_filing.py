"""Who gets a new question."""

import pytest
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import Role
from models.tables import OutboxMessage
from services.questions import texts
from services.questions.filing import file_question
from services.questions.rules import QuestionRefused
from tests.conftest import SmallCity
from tests.services.questions.roster import FILED, bind, staff, viewer


async def test_the_deputy_backs_up_an_instructor_who_is_not_on_telegram(
    session: AsyncSession, small_city: SmallCity
) -> None:
    await staff(session, small_city, "grid_deputy", "虹桥镇网格", Role.GRID_DEPUTY, bound=9001)
    member = await viewer(session, small_city, "member")
    filed = await file_question(session=session, viewer=member, text="问", now=FILED)
    assert filed.assignee.role == Role.GRID_DEPUTY
    await bind(session, small_city, "instructor", 9002)
    filed = await file_question(session=session, viewer=member, text="再问", now=FILED)
    assert filed.assignee.role == Role.INSTRUCTOR
    assert filed.assignee.person_id == small_city.person_id("instructor")
    sent = (await session.exec(select(OutboxMessage))).all()
    assert [m.chat_id for m in sent] == [9001, 9002]


async def test_without_grid_staff_the_town_deputy_answers_else_nobody(
    session: AsyncSession, small_city: SmallCity
) -> None:
    other = await viewer(session, small_city, "other_member")
    with pytest.raises(QuestionRefused, match=texts.ASK_NOBODY):
        await file_question(session=session, viewer=other, text="问", now=FILED)
    await staff(session, small_city, "ls_deputy", "柳市镇", Role.TOWN_DEPUTY, bound=None)
    filed = await file_question(session=session, viewer=other, text="问", now=FILED)
    assert filed.assignee.role == Role.TOWN_DEPUTY
    # Nobody on Telegram to tell: the question is stored all the same, and nothing is queued.
    assert (await session.exec(select(OutboxMessage))).all() == []
