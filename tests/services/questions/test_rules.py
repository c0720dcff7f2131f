"""Who may act on a question."""

import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import Role
from services.questions import texts
from services.questions.filing import file_question
from services.questions.replies import record_answer
from services.questions.rules import QuestionRefused, may_answer
from tests.conftest import SmallCity
from tests.services.questions.roster import FILED, staff, viewer


async def test_who_may_answer(session: AsyncSession, small_city: SmallCity) -> None:
    await staff(session, small_city, "hq_deputy", "虹桥镇", Role.TOWN_DEPUTY, bound=None)
    await staff(session, small_city, "ls_instructor", "柳市镇网格", Role.INSTRUCTOR, bound=None)
    member = await viewer(session, small_city, "member")
    filed = await file_question(session=session, viewer=member, text="问", now=FILED)
    question = filed.question
    town_id = small_city.grids["虹桥镇"].id
    allowed = {
        key: may_answer(await viewer(session, small_city, key), question, town_id)
        for key in (
            "instructor",
            "hq_deputy",
            "ls_instructor",
            "grid_head",
            "town_head",
            "member",
            "admin",
        )
    }
    assert allowed == {
        "instructor": True,
        "hq_deputy": True,
        "ls_instructor": False,
        # 网格长 and 二级网格长 hold no ANSWER_QUESTIONS.
        "grid_head": False,
        "town_head": False,
        "member": False,
        "admin": False,
    }
    with pytest.raises(QuestionRefused, match=texts.QUESTION_NOT_YOURS):
        await record_answer(
            session=session,
            viewer=await viewer(session, small_city, "ls_instructor"),
            question_id=question.id or 0,
            body="答",
            now=FILED,
        )
