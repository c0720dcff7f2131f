"""Questions in /todo, for the asker and the instructor."""

from datetime import timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from services.questions import texts
from services.questions.filing import file_question
from services.questions.replies import close_question, record_answer
from services.questions.todo import todo_items
from tests.conftest import SmallCity
from tests.services.questions.roster import FILED, viewer


async def test_todo_items_for_asker_and_instructor(
    session: AsyncSession, small_city: SmallCity
) -> None:
    member = await viewer(session, small_city, "member")
    instructor = await viewer(session, small_city, "instructor")
    waiting = await file_question(session=session, viewer=member, text="台账<怎么>建", now=FILED)
    answered = await file_question(
        session=session, viewer=member, text="第二个", now=FILED + timedelta(hours=1)
    )
    closed = await file_question(
        session=session, viewer=member, text="第三个", now=FILED + timedelta(hours=2)
    )
    for done in (answered, closed):
        await record_answer(
            session=session,
            viewer=instructor,
            question_id=done.question.id or 0,
            body="答",
            now=FILED + timedelta(hours=3),
        )
    await close_question(
        session=session,
        viewer=member,
        question_id=closed.question.id or 0,
        now=FILED + timedelta(hours=4),
    )
    mine = await todo_items(session=session, viewer=member, now=FILED)
    assert [(i.section, i.text) for i in mine] == [
        (texts.TODO_MY_QUESTIONS, f"#{waiting.question.id} 等待指导员回复：台账&lt;怎么&gt;建"),
        (texts.TODO_MY_QUESTIONS, f"#{answered.question.id} 已回复，请查看并确认关闭：第二个"),
    ]
    theirs = await todo_items(session=session, viewer=instructor, now=FILED)
    assert [(i.section, i.when) for i in theirs] == [(texts.TODO_TO_ANSWER, FILED)]
    assert "陈统计" in theirs[0].text
