"""Replies relayed to the asker, the asker's follow-ups, and closing a question."""

import logging
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from core.formatting import esc
from models import questions as queries
from models.enums import QuestionStatus
from models.tables import Question
from services.access import Viewer
from services.questions import texts
from services.questions.buttons import answer_keyboard, asker_keyboard
from services.questions.filing import choose_assignee
from services.questions.limits import RELAY_SNIPPET
from services.questions.lookups import (
    grid_name,
    load_for_answering,
    load_question,
    notify,
    person_name,
)
from services.questions.rules import (
    MAX_ANSWER_CHARS,
    MAX_QUESTION_CHARS,
    QuestionRefused,
    check_text,
    role_on,
    snippet,
)

log = logging.getLogger(__name__)


async def question_for_answering(
    *, session: AsyncSession, viewer: Viewer, question_id: int
) -> Question:
    """The question, if the viewer may reply to or hand it on; QuestionRefused otherwise."""
    question, _town = await load_for_answering(session, viewer, question_id)
    return question


async def record_answer(
    *, session: AsyncSession, viewer: Viewer, question_id: int, body: str, now: datetime
) -> Question:
    """Store the reply and relay it to the asker with [追问] [已解决，关闭]."""
    question, town_id = await load_for_answering(session, viewer, question_id)
    answer = check_text(body, MAX_ANSWER_CHARS, texts.WHAT_ANSWER)
    assert question.id is not None
    post = await queries.add_post(
        session=session,
        question_id=question.id,
        author_id=viewer.person_id,
        kind="answer",
        body=answer,
    )
    question.status = QuestionStatus.ANSWERED
    question.answered_at = now
    question.waiting_since = None
    await queries.save_question(session=session, question=question)
    await notify(
        session,
        person_id=question.asker_id,
        text=texts.QUESTION_ANSWER_RELAY.format(
            role=esc(role_on(viewer, question.grid_id, town_id)),
            name=esc(viewer.name),
            id=question.id,
            question=esc(snippet(question.text, RELAY_SNIPPET)),
            answer=esc(answer),
        ),
        buttons=asker_keyboard(question.id),
        dedupe_key=f"question:{question.id}:post:{post.id}",
        question_id=question.id,
    )
    return question


async def question_for_asker(
    *, session: AsyncSession, viewer: Viewer, question_id: int
) -> Question:
    """The viewer's own question, if it is still open to follow-ups."""
    question = await load_question(session, question_id)
    if question.asker_id != viewer.person_id:
        log.info("person %s refused as asker of question %s", viewer.person_id, question_id)
        raise QuestionRefused(texts.QUESTION_NOT_YOURS)
    if question.status == QuestionStatus.CLOSED:
        raise QuestionRefused(texts.QUESTION_ALREADY_CLOSED)
    return question


async def record_followup(
    *, session: AsyncSession, viewer: Viewer, question_id: int, body: str, now: datetime
) -> str:
    """Store the asker's follow-up, reopen the question and send it to the assignee; returns
    the assignee's name."""
    question = await question_for_asker(session=session, viewer=viewer, question_id=question_id)
    text = check_text(body, MAX_QUESTION_CHARS, texts.WHAT_FOLLOWUP)
    assert question.id is not None
    post = await queries.add_post(
        session=session,
        question_id=question.id,
        author_id=viewer.person_id,
        kind="followup",
        body=text,
    )
    question.status = QuestionStatus.OPEN
    # A new wait begins: the SLA clock (and its claims, keyed by this time) start afresh.
    question.waiting_since = now
    if question.assignee_id is None:
        assignee = await choose_assignee(
            session=session, grid_id=question.grid_id, exclude=viewer.person_id
        )
        question.assignee_id = assignee.person_id if assignee else None
    await queries.save_question(session=session, question=question)
    if question.assignee_id is not None:
        await notify(
            session,
            person_id=question.assignee_id,
            text=texts.QUESTION_FOLLOWUP_NOTIFY.format(
                id=question.id,
                grid=esc(await grid_name(session, question.grid_id)),
                asker=esc(viewer.name),
                text=esc(text),
            ),
            buttons=answer_keyboard(question.id),
            dedupe_key=f"question:{question.id}:post:{post.id}",
            question_id=question.id,
        )
    return await person_name(session=session, person_id=question.assignee_id)


async def close_question(
    *, session: AsyncSession, viewer: Viewer, question_id: int, now: datetime
) -> Question:
    """The asker's [已解决，关闭]."""
    question = await question_for_asker(session=session, viewer=viewer, question_id=question_id)
    question.status = QuestionStatus.CLOSED
    question.closed_at = now
    question.waiting_since = None
    await queries.save_question(session=session, question=question)
    return question
