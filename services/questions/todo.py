"""Questions in /todo: the viewer's own unfinished ones and those waiting on them."""

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from core.formatting import esc
from models import questions as queries
from models.enums import QuestionStatus
from services.access import Viewer
from services.questions import texts
from services.questions.inbox import waiting_for
from services.questions.rules import snippet
from services.todo import TodoItem


async def todo_items(*, session: AsyncSession, viewer: Viewer, now: datetime) -> list[TodoItem]:
    """The viewer's own unfinished questions and, for answering staff, those waiting on them."""
    del now  # the items carry their own times; nothing here expires
    items: list[TodoItem] = []
    mine = await queries.questions_asked_by(
        session=session,
        person_id=viewer.person_id,
        statuses=(QuestionStatus.OPEN, QuestionStatus.ANSWERED),
    )
    for question in mine:
        template = (
            texts.TODO_QUESTION_WAITING
            if question.status == QuestionStatus.OPEN
            else texts.TODO_QUESTION_ANSWERED
        )
        items.append(
            TodoItem(
                section=texts.TODO_MY_QUESTIONS,
                text=template.format(id=question.id, text=esc(snippet(question.text))),
                when=question.waiting_since or question.answered_at or question.created_at,
            )
        )
    for waiting in await waiting_for(session=session, viewer=viewer):
        items.append(
            TodoItem(
                section=texts.TODO_TO_ANSWER,
                text=texts.TODO_QUESTION_TO_ANSWER.format(
                    id=waiting.id,
                    asker=esc(waiting.asker),
                    text=esc(snippet(waiting.text)),
                ),
                when=waiting.waiting_since,
            )
        )
    return items
