"""Approved answers as knowledge entries, never as citations."""

import pytest
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from knowledge.base import KnowledgeBase
from models.enums import CandidateStatus, QuestionStatus
from models.tables import FaqCandidate, Question
from services import texts as shared_texts
from services.questions import texts
from services.questions.candidates import (
    approved_entries,
    knowledge_with_approved,
    propose_candidate,
    review_candidate,
)
from services.questions.filing import file_question
from services.questions.replies import record_answer
from services.questions.rules import QuestionRefused
from tests.conftest import SmallCity
from tests.services.questions.roster import FILED, SHANGHAI, viewer


async def test_candidates_become_local_entries_without_citations(
    session: AsyncSession, small_city: SmallCity, knowledge: KnowledgeBase
) -> None:
    member = await viewer(session, small_city, "member")
    instructor = await viewer(session, small_city, "instructor")
    admin = await viewer(session, small_city, "admin")
    filed = await file_question(
        session=session, viewer=member, text="统计报表的填报人离职了怎么交接", now=FILED
    )
    question_id = filed.question.id or 0
    with pytest.raises(QuestionRefused, match=texts.CANDIDATE_NO_ANSWER):
        await propose_candidate(
            session=session, viewer=instructor, question_id=question_id, now=FILED
        )
    await record_answer(
        session=session,
        viewer=instructor,
        question_id=question_id,
        body="在平台上变更填报人并移交台账。",
        now=FILED,
    )
    candidate = await propose_candidate(
        session=session, viewer=instructor, question_id=question_id, now=FILED
    )
    with pytest.raises(QuestionRefused, match=shared_texts.FORBIDDEN):
        await review_candidate(
            session=session,
            viewer=instructor,
            candidate_id=candidate.id or 0,
            approve=True,
            now=FILED,
        )
    await review_candidate(
        session=session, viewer=admin, candidate_id=candidate.id or 0, approve=True, now=FILED
    )
    with pytest.raises(QuestionRefused):
        await review_candidate(
            session=session,
            viewer=admin,
            candidate_id=candidate.id or 0,
            approve=False,
            now=FILED,
        )
    stored = (await session.exec(select(FaqCandidate))).one()
    assert stored.status == CandidateStatus.APPROVED
    entries = await approved_entries(session=session, tz=SHANGHAI)
    assert [(e.kind, e.refs, str(e.approved_on)) for e in entries] == [("local", (), "2025-11-14")]
    extended = await knowledge_with_approved(session=session, knowledge=knowledge, tz=SHANGHAI)
    assert extended is not knowledge
    assert knowledge.local_entries == ()
    hit = extended.search("填报人离职了怎么交接")
    assert hit.results[0].entry.id == f"local-{candidate.id}"
    # Rebuilding replaces the local entries rather than adding them twice.
    assert len(extended.with_local_entries(entries).entries) == len(extended.entries)
    answered = await session.get(Question, question_id)
    assert answered is not None
    assert answered.status == QuestionStatus.ANSWERED
