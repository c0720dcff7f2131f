"""Instructors' answers proposed for the knowledge base, their review, and the approved ones
made searchable."""

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, tzinfo

from sqlmodel.ext.asyncio.session import AsyncSession

from core.formatting import TEXT_LIMIT, esc, truncate_html
from knowledge.base import Entry, KnowledgeBase, local_entry
from models import questions as queries
from models.enums import CandidateStatus
from models.tables import FaqCandidate
from services import texts as shared_texts
from services.access import Capability, Viewer
from services.audit import Actor, AuditAction, record
from services.questions import texts
from services.questions.lookups import load_question, person_name, town_of
from services.questions.rules import QuestionRefused, may_answer

log = logging.getLogger(__name__)


async def propose_candidate(
    *, session: AsyncSession, viewer: Viewer, question_id: int, now: datetime
) -> FaqCandidate:
    """Propose the question and its latest answer for the knowledge base (once per question)."""
    question = await load_question(session, question_id)
    town_id = await town_of(session, question.grid_id)
    if not may_answer(viewer, question, town_id):
        raise QuestionRefused(texts.QUESTION_NOT_YOURS)
    assert question.id is not None
    existing = await queries.candidate_for_question(session=session, question_id=question.id)
    if existing is not None:
        raise QuestionRefused(texts.CANDIDATE_EXISTS.format(status=existing.status.value))
    answer = await queries.latest_post(session=session, question_id=question.id, kind="answer")
    if answer is None:
        raise QuestionRefused(texts.CANDIDATE_NO_ANSWER)
    return await queries.add_candidate(
        session=session,
        candidate=FaqCandidate(
            question_id=question.id,
            question=question.text,
            answer=answer.body,
            author_id=answer.author_id,
            created_at=now,
        ),
    )


@dataclass(frozen=True)
class CandidateView:
    id: int
    question: str
    answer: str
    author: str
    created_at: datetime


async def pending_candidates(*, session: AsyncSession) -> list[CandidateView]:
    found = await queries.candidates_with_status(session=session, status=CandidateStatus.PENDING)
    views = []
    for candidate in found:
        assert candidate.id is not None
        views.append(
            CandidateView(
                id=candidate.id,
                question=candidate.question,
                answer=candidate.answer,
                author=await person_name(session=session, person_id=candidate.author_id),
                created_at=candidate.created_at,
            )
        )
    return views


async def review_candidate(
    *, session: AsyncSession, viewer: Viewer, candidate_id: int, approve: bool, now: datetime
) -> FaqCandidate:
    if not viewer.can(Capability.REVIEW_FAQ):
        raise QuestionRefused(shared_texts.FORBIDDEN)
    candidate = await queries.candidate_by_id(
        session=session, candidate_id=candidate_id, for_update=True
    )
    if candidate is None:
        raise QuestionRefused(shared_texts.STALE_BUTTON)
    if candidate.status != CandidateStatus.PENDING:
        raise QuestionRefused(texts.FAQREVIEW_DONE_BEFORE.format(status=candidate.status.value))
    candidate.status = CandidateStatus.APPROVED if approve else CandidateStatus.REJECTED
    candidate.reviewed_by = viewer.person_id
    candidate.reviewed_at = now
    await queries.save_candidate(session=session, candidate=candidate)
    await record(
        session=session,
        actor=Actor.chat(viewer.person_id, viewer.name),
        action=AuditAction.FAQ_APPROVE if approve else AuditAction.FAQ_REJECT,
        summary=f"解答 #{candidate_id}「{candidate.question[:60]}」{candidate.status.value}",
        now=now,
    )
    log.info("faq candidate %s %s by %s", candidate_id, candidate.status, viewer.person_id)
    return candidate


async def approved_entries(*, session: AsyncSession, tz: tzinfo) -> list[Entry]:
    """Approved candidates as knowledge-base entries, dated by their approval in `tz`."""
    found = await queries.candidates_with_status(session=session, status=CandidateStatus.APPROVED)
    return [
        local_entry(
            key=str(candidate.id),
            question=candidate.question,
            answer=candidate.answer,
            approved_on=(candidate.reviewed_at or candidate.created_at).astimezone(tz).date(),
        )
        for candidate in found
    ]


async def approved_count(*, session: AsyncSession) -> int:
    return await queries.approved_count(session=session)


async def knowledge_with_approved(
    *, session: AsyncSession, knowledge: KnowledgeBase, tz: tzinfo
) -> KnowledgeBase:
    """`knowledge` with every approved answer searchable; the index is rebuilt in a thread."""
    local = await approved_entries(session=session, tz=tz)
    if not local and not knowledge.local_entries:
        return knowledge
    return await asyncio.to_thread(knowledge.with_local_entries, local)


# /faqreview shows this many candidates at a time (oldest first); the rest wait for the next.
REVIEW_BATCH = 10


def render_candidate(candidate: CandidateView, tz: tzinfo) -> str:
    """A proposed answer as /faqreview shows it, dated in `tz`: one older than today's limits
    is cut to fit a message (marked …（全文见附件/详情）), so it never blocks the queue."""
    return truncate_html(
        texts.FAQREVIEW_ITEM.format(
            id=candidate.id,
            author=esc(candidate.author),
            date=candidate.created_at.astimezone(tz).date().isoformat(),
            question=esc(candidate.question),
            answer=esc(candidate.answer),
        ),
        TEXT_LIMIT,
    )
