"""Handing a question on to other staff of its town."""

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from core.buttons import Button, Keyboard
from core.formatting import esc
from models import questions as queries
from models.enums import QuestionStatus, Role
from models.tables import Question
from services import texts as shared_texts
from services.access import Viewer
from services.questions import texts
from services.questions.buttons import TransferTo, answer_keyboard
from services.questions.lookups import grid_name, load_for_answering, notify, person_name
from services.questions.rules import QuestionRefused

log = logging.getLogger(__name__)

# Who may take a handed-over question: answering staff of the town's grids, and the town's
# 分管负责人.
TRANSFER_GRID_ROLES = (Role.INSTRUCTOR, Role.GRID_DEPUTY)


@dataclass(frozen=True)
class TransferTarget:
    person_id: int
    name: str
    role: Role
    # The grid or town where they hold that role.
    place: str


async def transfer_targets(
    *, session: AsyncSession, viewer: Viewer, question_id: int
) -> list[TransferTarget]:
    """Staff of the question's town who may take it: instructors and 副网格长 of its grids,
    and the town's 分管负责人 (not the current assignee, not the asker)."""
    question, town_id = await load_for_answering(session, viewer, question_id)
    return await _targets(session, question, town_id)


def transfer_keyboard(question_id: int, targets: list[TransferTarget]) -> Keyboard:
    """One button per person the question may be handed to."""
    return [
        [
            Button(
                texts.QUESTION_TRANSFER_TARGET.format(
                    role=t.role.value, name=t.name, place=t.place
                ),
                data=TransferTo(question_id, t.person_id),
            )
        ]
        for t in targets
    ]


async def _targets(
    session: AsyncSession, question: Question, town_id: int | None
) -> list[TransferTarget]:
    if town_id is None:
        return []
    grid_ids = await queries.town_grid_ids(session=session, town_id=town_id)
    rows = await queries.staff_holding(
        session=session, grid_ids=[town_id], roles=[Role.TOWN_DEPUTY]
    ) + await queries.staff_holding(session=session, grid_ids=grid_ids, roles=TRANSFER_GRID_ROLES)
    names = {grid_id: await grid_name(session, grid_id) for grid_id in {row[1] for row in rows}}
    seen: set[int] = set()
    targets: list[TransferTarget] = []
    for role, grid_id, person in rows:
        if person.id is None or person.id in seen:
            continue
        if person.id in (question.assignee_id, question.asker_id):
            continue
        seen.add(person.id)
        targets.append(TransferTarget(person.id, person.name, role, names[grid_id]))
    return targets


async def transfer_question(
    *, session: AsyncSession, viewer: Viewer, question_id: int, target_id: int, now: datetime
) -> TransferTarget:
    """Hand the question to `target_id` (one of `transfer_targets`) and notify them.

    The SLA clock keeps running: the member has been waiting all along.
    """
    question, town_id = await load_for_answering(session, viewer, question_id)
    target = next(
        (t for t in await _targets(session, question, town_id) if t.person_id == target_id), None
    )
    if target is None:
        raise QuestionRefused(shared_texts.STALE_BUTTON)
    assert question.id is not None
    post = await queries.add_post(
        session=session,
        question_id=question.id,
        author_id=viewer.person_id,
        kind="transfer",
        body=f"{question.assignee_id or ''}->{target.person_id}",
    )
    question.assignee_id = target.person_id
    if question.status != QuestionStatus.OPEN:
        question.status = QuestionStatus.OPEN
        question.waiting_since = now
    await queries.save_question(session=session, question=question)
    await notify(
        session,
        person_id=target.person_id,
        text=texts.QUESTION_TRANSFER_NOTIFY.format(
            id=question.id,
            by=esc(viewer.name),
            grid=esc(await grid_name(session, question.grid_id)),
            asker=esc(await person_name(session=session, person_id=question.asker_id)),
            text=esc(question.text),
        ),
        buttons=answer_keyboard(question.id),
        dedupe_key=f"question:{question.id}:post:{post.id}",
        question_id=question.id,
    )
    log.info("question %s handed from %s to %s", question.id, viewer.person_id, target_id)
    return target
