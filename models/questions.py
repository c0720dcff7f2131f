"""Query functions for questions to instructors, their threads, FAQ candidates and the SLA
reminder claims."""

from collections.abc import Collection

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import CandidateStatus, GridLevel, QuestionStatus, Role
from models.tables import (
    Assignment,
    FaqCandidate,
    Grid,
    Person,
    Question,
    QuestionPost,
    utcnow,
)

# --- Questions ----------------------------------------------------------------------------


async def add_question(*, session: AsyncSession, question: Question, body: str) -> Question:
    """Insert a question with the post that opens its thread."""
    session.add(question)
    await session.flush()
    assert question.id is not None
    session.add(
        QuestionPost(
            question_id=question.id,
            author_id=question.asker_id,
            kind="question",
            body=body,
            created_at=question.created_at,
        )
    )
    await session.flush()
    return question


async def save_question(*, session: AsyncSession, question: Question) -> None:
    session.add(question)
    await session.flush()


async def add_post(
    *, session: AsyncSession, question_id: int, author_id: int, kind: str, body: str
) -> QuestionPost:
    post = QuestionPost(
        question_id=question_id, author_id=author_id, kind=kind, body=body, created_at=utcnow()
    )
    session.add(post)
    await session.flush()
    return post


async def question_by_id(
    *, session: AsyncSession, question_id: int, for_update: bool = False
) -> Question | None:
    statement = select(Question).where(Question.id == question_id)
    if for_update:
        statement = statement.with_for_update()
    return (await session.exec(statement)).first()


async def open_questions_assigned_to(*, session: AsyncSession, person_id: int) -> list[Question]:
    """Questions waiting for this person's answer, longest waiting first."""
    result = await session.exec(
        select(Question)
        .where(Question.assignee_id == person_id, Question.status == QuestionStatus.OPEN)
        .order_by(col(Question.waiting_since), col(Question.id))
    )
    return list(result.all())


async def questions_asked_by(
    *, session: AsyncSession, person_id: int, statuses: Collection[QuestionStatus]
) -> list[Question]:
    result = await session.exec(
        select(Question)
        .where(Question.asker_id == person_id, col(Question.status).in_(list(statuses)))
        .order_by(col(Question.created_at), col(Question.id))
    )
    return list(result.all())


async def waiting_questions(*, session: AsyncSession) -> list[Question]:
    """Every open question with a running SLA clock, longest waiting first."""
    result = await session.exec(
        select(Question)
        .where(Question.status == QuestionStatus.OPEN, col(Question.waiting_since).is_not(None))
        .order_by(col(Question.waiting_since), col(Question.id))
    )
    return list(result.all())


async def latest_post(*, session: AsyncSession, question_id: int, kind: str) -> QuestionPost | None:
    result = await session.exec(
        select(QuestionPost)
        .where(QuestionPost.question_id == question_id, QuestionPost.kind == kind)
        .order_by(col(QuestionPost.created_at).desc(), col(QuestionPost.id).desc())
    )
    return result.first()


# --- Who answers --------------------------------------------------------------------------


async def staff_holding(
    *, session: AsyncSession, grid_ids: Collection[int], roles: Collection[Role]
) -> list[tuple[Role, int, Person]]:
    """Live holders of `roles` on `grid_ids`: (role, grid id, person), active people only,
    ordered by role order given, then name."""
    if not grid_ids or not roles:
        return []
    result = await session.exec(
        select(Assignment, Person)
        .join(Person, col(Person.id) == col(Assignment.person_id))
        .where(
            col(Assignment.grid_id).in_(list(grid_ids)),
            col(Assignment.role).in_(list(roles)),
            col(Assignment.ended_at).is_(None),
            col(Person.active).is_(True),
        )
    )
    order = {role: i for i, role in enumerate(roles)}
    rows = [(a.role, a.grid_id, p) for a, p in result.all()]
    rows.sort(key=lambda row: (order[row[0]], row[2].name, row[2].id or 0))
    return rows


async def town_grid_ids(*, session: AsyncSession, town_id: int) -> list[int]:
    """Ids of the level-3 grids of a town."""
    result = await session.exec(
        select(Grid.id).where(Grid.parent_id == town_id, Grid.level == GridLevel.GRID)
    )
    return [grid_id for grid_id in result.all() if grid_id is not None]


# --- FAQ candidates -----------------------------------------------------------------------


async def add_candidate(*, session: AsyncSession, candidate: FaqCandidate) -> FaqCandidate:
    session.add(candidate)
    await session.flush()
    return candidate


async def save_candidate(*, session: AsyncSession, candidate: FaqCandidate) -> None:
    session.add(candidate)
    await session.flush()


async def candidate_for_question(*, session: AsyncSession, question_id: int) -> FaqCandidate | None:
    result = await session.exec(
        select(FaqCandidate)
        .where(FaqCandidate.question_id == question_id)
        .order_by(col(FaqCandidate.id).desc())
    )
    return result.first()


async def candidate_by_id(
    *, session: AsyncSession, candidate_id: int, for_update: bool = False
) -> FaqCandidate | None:
    statement = select(FaqCandidate).where(FaqCandidate.id == candidate_id)
    if for_update:
        statement = statement.with_for_update()
    return (await session.exec(statement)).first()


async def candidates_with_status(
    *, session: AsyncSession, status: CandidateStatus
) -> list[FaqCandidate]:
    result = await session.exec(
        select(FaqCandidate)
        .where(FaqCandidate.status == status)
        .order_by(col(FaqCandidate.created_at), col(FaqCandidate.id))
    )
    return list(result.all())


async def approved_count(*, session: AsyncSession) -> int:
    result = await session.exec(
        select(sa.func.count())
        .select_from(FaqCandidate)
        .where(FaqCandidate.status == CandidateStatus.APPROVED)
    )
    return int(result.one())


# --- Reminder claims ----------------------------------------------------------------------
