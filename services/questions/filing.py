"""Filing a question and choosing who answers it."""

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from core.formatting import esc
from models import people
from models import questions as queries
from models.enums import QuestionStatus, Role
from models.tables import Person, Question
from services.access import Viewer
from services.questions import texts
from services.questions.buttons import answer_keyboard
from services.questions.lookups import notify, town_of
from services.questions.rules import (
    MAX_QUESTION_CHARS,
    QuestionRefused,
    asking_post,
    check_text,
)

log = logging.getLogger(__name__)

# Who receives a new question, in order; reachable holders first (see `choose_assignee`).
ANSWERING_ROLES = (Role.INSTRUCTOR, Role.GRID_DEPUTY)


@dataclass(frozen=True)
class Assignee:
    person_id: int
    name: str
    role: Role


def _reachable(person: Person, accounts: dict[int, int]) -> bool:
    return person.id in accounts and person.unreachable_at is None


async def choose_assignee(
    *, session: AsyncSession, grid_id: int, exclude: int | None = None
) -> Assignee | None:
    """The grid's 网格指导员 reachable on Telegram, else its reachable 副网格长, else whichever
    of them exists (the SLA escalation will then reach the town); else the town's 分管负责人."""
    holders = [
        (role, person)
        for role, _grid, person in await queries.staff_holding(
            session=session, grid_ids=[grid_id], roles=ANSWERING_ROLES
        )
        if person.id != exclude
    ]
    if not holders:
        town_id = await town_of(session, grid_id)
        if town_id is not None:
            holders = [
                (role, person)
                for role, _grid, person in await queries.staff_holding(
                    session=session, grid_ids=[town_id], roles=[Role.TOWN_DEPUTY]
                )
                if person.id != exclude
            ]
    if not holders:
        return None
    accounts = await people.live_telegram_ids(
        session=session, person_ids=[p.id for _r, p in holders if p.id is not None]
    )
    reachable = [(role, person) for role, person in holders if _reachable(person, accounts)]
    role, person = (reachable or holders)[0]
    assert person.id is not None
    return Assignee(person_id=person.id, name=person.name, role=role)


@dataclass(frozen=True)
class Filed:
    question: Question
    assignee: Assignee


async def file_question(
    *, session: AsyncSession, viewer: Viewer, text: str, now: datetime
) -> Filed:
    """File the viewer's question in their grid and notify whoever answers it."""
    post = asking_post(viewer)
    if post is None:
        raise QuestionRefused(texts.ASK_NOT_IN_GRID)
    body = check_text(text, MAX_QUESTION_CHARS)
    assignee = await choose_assignee(
        session=session, grid_id=post.grid_id, exclude=viewer.person_id
    )
    if assignee is None:
        raise QuestionRefused(texts.ASK_NOBODY)
    question = await queries.add_question(
        session=session,
        question=Question(
            asker_id=viewer.person_id,
            grid_id=post.grid_id,
            assignee_id=assignee.person_id,
            text=body,
            status=QuestionStatus.OPEN,
            waiting_since=now,
            created_at=now,
        ),
        body=body,
    )
    assert question.id is not None
    await notify(
        session,
        person_id=assignee.person_id,
        text=texts.QUESTION_NOTIFY.format(
            id=question.id,
            grid=esc(post.grid_name),
            asker=esc(viewer.name),
            text=esc(body),
        ),
        buttons=answer_keyboard(question.id),
        dedupe_key=f"question:{question.id}:filed",
        question_id=question.id,
    )
    log.info("question %s filed by %s for %s", question.id, viewer.person_id, assignee.person_id)
    return Filed(question=question, assignee=assignee)
