"""Loading a question for the one acting on it, the names shown with it, and telling people.

Messages to people other than the one acting go through the outbox in the caller's
transaction; the caller commits and wakes the worker.
"""

import logging

from sqlmodel.ext.asyncio.session import AsyncSession

from core.buttons import Keyboard
from models import grids, people
from models import questions as queries
from models.enums import QuestionStatus
from models.tables import Question
from services import outbox
from services import texts as shared_texts
from services.access import Viewer
from services.questions import texts
from services.questions.rules import QuestionRefused, may_answer

log = logging.getLogger(__name__)

OUTBOX_KIND = "question"


async def town_of(session: AsyncSession, grid_id: int) -> int | None:
    grid = await grids.grid_by_id(session=session, grid_id=grid_id)
    return grid.parent_id if grid is not None else None


async def grid_name(session: AsyncSession, grid_id: int) -> str:
    grid = await grids.grid_by_id(session=session, grid_id=grid_id)
    return grid.name if grid is not None else ""


async def person_name(*, session: AsyncSession, person_id: int | None) -> str:
    """The person's name; for no person, the "nobody is assigned" mark."""
    if person_id is None:
        return texts.QUESTION_NOBODY_ASSIGNED
    person = await people.person_by_id(session=session, person_id=person_id)
    return person.name if person is not None else ""


async def notify(
    session: AsyncSession,
    *,
    person_id: int,
    text: str,
    buttons: Keyboard | None,
    dedupe_key: str,
    question_id: int,
) -> bool:
    """Queue a message to a person; False when they have no Telegram account bound."""
    accounts = await people.live_telegram_ids(session=session, person_ids=[person_id])
    chat_id = accounts.get(person_id)
    if chat_id is None:
        log.info("question %s: person %s has no Telegram account", question_id, person_id)
        return False
    await outbox.enqueue_text(
        session=session,
        chat_id=chat_id,
        person_id=person_id,
        text=text,
        kind=OUTBOX_KIND,
        buttons=buttons,
        dedupe_key=dedupe_key,
        ref=f"question:{question_id}",
    )
    return True


async def load_question(session: AsyncSession, question_id: int) -> Question:
    """The question, locked for the update; a stale button when it does not exist."""
    question = await queries.question_by_id(
        session=session, question_id=question_id, for_update=True
    )
    if question is None:
        raise QuestionRefused(shared_texts.STALE_BUTTON)
    return question


async def load_for_answering(
    session: AsyncSession, viewer: Viewer, question_id: int
) -> tuple[Question, int | None]:
    """The open question and its town, if the viewer may answer it."""
    question = await load_question(session, question_id)
    town_id = await town_of(session, question.grid_id)
    if not may_answer(viewer, question, town_id):
        log.info("person %s refused on question %s", viewer.person_id, question_id)
        raise QuestionRefused(texts.QUESTION_NOT_YOURS)
    if question.status == QuestionStatus.CLOSED:
        raise QuestionRefused(texts.QUESTION_ALREADY_CLOSED)
    return question, town_id
