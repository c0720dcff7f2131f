"""Question rules on a real database: who gets a question, who may act on it, the SLA sweep's
edge cases, to-do items and approved answers as knowledge entries."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.settings import load_settings
from knowledge.base import KnowledgeBase
from models.enums import CandidateStatus, QuestionStatus, ReminderStatus, Role
from models.tables import (
    Assignment,
    FaqCandidate,
    OutboxMessage,
    Person,
    Question,
    ReminderClaim,
    TelegramBinding,
)
from services import questions
from services import texts as shared_texts
from services.access import Viewer
from services.onboarding import viewers_for
from services.questions import texts
from tests.conftest import SmallCity

SHANGHAI = ZoneInfo("Asia/Shanghai")
FILED = datetime(2025, 11, 14, 2, 0, tzinfo=UTC)  # Friday 10:00 in Shanghai


async def viewer(session: AsyncSession, city: SmallCity, key: str) -> Viewer:
    return (await viewers_for(session=session, persons=[city.people[key]]))[city.person_id(key)]


async def staff(
    session: AsyncSession, city: SmallCity, key: str, grid: str, role: Role, *, bound: int | None
) -> None:
    person = Person(name=key, mobile=f"1370000{len(city.people):04d}")
    session.add(person)
    await session.flush()
    assert person.id is not None
    city.people[key] = person
    grid_id = city.grids[grid].id
    assert grid_id is not None
    session.add(Assignment(person_id=person.id, grid_id=grid_id, role=role))
    if bound is not None:
        session.add(TelegramBinding(person_id=person.id, telegram_user_id=bound))
    await session.flush()


async def bind(session: AsyncSession, city: SmallCity, key: str, telegram_id: int) -> None:
    session.add(TelegramBinding(person_id=city.person_id(key), telegram_user_id=telegram_id))
    await session.flush()


async def test_the_deputy_backs_up_an_instructor_who_is_not_on_telegram(
    session: AsyncSession, small_city: SmallCity
) -> None:
    await staff(session, small_city, "grid_deputy", "虹桥镇网格", Role.GRID_DEPUTY, bound=9001)
    member = await viewer(session, small_city, "member")
    filed = await questions.file_question(session=session, viewer=member, text="问", now=FILED)
    assert filed.assignee.role == Role.GRID_DEPUTY
    await bind(session, small_city, "instructor", 9002)
    filed = await questions.file_question(session=session, viewer=member, text="再问", now=FILED)
    assert filed.assignee.role == Role.INSTRUCTOR
    assert filed.assignee.person_id == small_city.person_id("instructor")
    sent = (await session.exec(select(OutboxMessage))).all()
    assert [m.chat_id for m in sent] == [9001, 9002]


async def test_without_grid_staff_the_town_deputy_answers_else_nobody(
    session: AsyncSession, small_city: SmallCity
) -> None:
    other = await viewer(session, small_city, "other_member")
    with pytest.raises(questions.QuestionRefused, match=texts.ASK_NOBODY):
        await questions.file_question(session=session, viewer=other, text="问", now=FILED)
    await staff(session, small_city, "ls_deputy", "柳市镇", Role.TOWN_DEPUTY, bound=None)
    filed = await questions.file_question(session=session, viewer=other, text="问", now=FILED)
    assert filed.assignee.role == Role.TOWN_DEPUTY
    # Nobody on Telegram to tell: the question is stored all the same, and nothing is queued.
    assert (await session.exec(select(OutboxMessage))).all() == []


async def test_who_may_answer(session: AsyncSession, small_city: SmallCity) -> None:
    await staff(session, small_city, "hq_deputy", "虹桥镇", Role.TOWN_DEPUTY, bound=None)
    await staff(session, small_city, "ls_instructor", "柳市镇网格", Role.INSTRUCTOR, bound=None)
    member = await viewer(session, small_city, "member")
    filed = await questions.file_question(session=session, viewer=member, text="问", now=FILED)
    question = filed.question
    town_id = small_city.grids["虹桥镇"].id
    allowed = {
        key: questions.may_answer(await viewer(session, small_city, key), question, town_id)
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
    with pytest.raises(questions.QuestionRefused, match=texts.QUESTION_NOT_YOURS):
        await questions.record_answer(
            session=session,
            viewer=await viewer(session, small_city, "ls_instructor"),
            question_id=question.id or 0,
            body="答",
            now=FILED,
        )


async def test_a_question_first_seen_past_escalation_is_escalated_only(
    session: AsyncSession, small_city: SmallCity
) -> None:
    await bind(session, small_city, "instructor", 9002)
    await bind(session, small_city, "town_head", 9003)
    member = await viewer(session, small_city, "member")
    filed = await questions.file_question(session=session, viewer=member, text="问", now=FILED)
    settings = load_settings()
    later = FILED + timedelta(days=14)
    report = await questions.sla_sweep(session=session, now=later, settings=settings)
    # No 分管负责人 in 虹桥镇: the 二级网格长 hears of it, without answer buttons.
    assert report == questions.SlaReport(escalated=[filed.question.id or 0])
    claims = {c.step: c.status for c in (await session.exec(select(ReminderClaim))).all()}
    # One escalation claim per leader told.
    assert claims == {
        "remind": ReminderStatus.SKIPPED,
        f"escalate:{small_city.person_id('town_head')}": ReminderStatus.QUEUED,
    }
    escalation = (
        await session.exec(select(OutboxMessage).where(OutboxMessage.chat_id == 9003))
    ).one()
    assert escalation.reply_markup is None
    assert await questions.sla_sweep(session=session, now=later, settings=settings) == (
        questions.SlaReport()
    )


async def test_a_follow_up_restarts_the_sla_clock(
    session: AsyncSession, small_city: SmallCity
) -> None:
    await bind(session, small_city, "instructor", 9002)
    await bind(session, small_city, "member", 9004)
    settings = load_settings()
    member = await viewer(session, small_city, "member")
    instructor = await viewer(session, small_city, "instructor")
    filed = await questions.file_question(session=session, viewer=member, text="问", now=FILED)
    question_id = filed.question.id or 0
    monday = FILED + timedelta(days=3, hours=1)
    assert (await questions.sla_sweep(session=session, now=monday, settings=settings)).reminded
    await questions.record_answer(
        session=session, viewer=instructor, question_id=question_id, body="答", now=monday
    )
    followed = monday + timedelta(hours=1)
    await questions.record_followup(
        session=session, viewer=member, question_id=question_id, body="追问", now=followed
    )
    # A new wait, a new period: reminded again a working day later.
    report = await questions.sla_sweep(
        session=session, now=followed + timedelta(days=1, minutes=1), settings=settings
    )
    assert report.reminded == [question_id]
    periods = {c.period for c in (await session.exec(select(ReminderClaim))).all()}
    assert periods == {FILED.isoformat(), followed.isoformat()}


async def test_todo_items_for_asker_and_instructor(
    session: AsyncSession, small_city: SmallCity
) -> None:
    member = await viewer(session, small_city, "member")
    instructor = await viewer(session, small_city, "instructor")
    waiting = await questions.file_question(
        session=session, viewer=member, text="台账<怎么>建", now=FILED
    )
    answered = await questions.file_question(
        session=session, viewer=member, text="第二个", now=FILED + timedelta(hours=1)
    )
    closed = await questions.file_question(
        session=session, viewer=member, text="第三个", now=FILED + timedelta(hours=2)
    )
    for done in (answered, closed):
        await questions.record_answer(
            session=session,
            viewer=instructor,
            question_id=done.question.id or 0,
            body="答",
            now=FILED + timedelta(hours=3),
        )
    await questions.close_question(
        session=session,
        viewer=member,
        question_id=closed.question.id or 0,
        now=FILED + timedelta(hours=4),
    )
    mine = await questions.todo_items(session=session, viewer=member, now=FILED)
    assert [(i.section, i.text) for i in mine] == [
        (texts.TODO_MY_QUESTIONS, f"#{waiting.question.id} 等待指导员回复：台账&lt;怎么&gt;建"),
        (texts.TODO_MY_QUESTIONS, f"#{answered.question.id} 已回复，请查看并确认关闭：第二个"),
    ]
    theirs = await questions.todo_items(session=session, viewer=instructor, now=FILED)
    assert [(i.section, i.when) for i in theirs] == [(texts.TODO_TO_ANSWER, FILED)]
    assert "陈统计" in theirs[0].text


async def test_candidates_become_local_entries_without_citations(
    session: AsyncSession, small_city: SmallCity, knowledge: KnowledgeBase
) -> None:
    member = await viewer(session, small_city, "member")
    instructor = await viewer(session, small_city, "instructor")
    admin = await viewer(session, small_city, "admin")
    filed = await questions.file_question(
        session=session, viewer=member, text="统计报表的填报人离职了怎么交接", now=FILED
    )
    question_id = filed.question.id or 0
    with pytest.raises(questions.QuestionRefused, match=texts.CANDIDATE_NO_ANSWER):
        await questions.propose_candidate(
            session=session, viewer=instructor, question_id=question_id, now=FILED
        )
    await questions.record_answer(
        session=session,
        viewer=instructor,
        question_id=question_id,
        body="在平台上变更填报人并移交台账。",
        now=FILED,
    )
    candidate = await questions.propose_candidate(
        session=session, viewer=instructor, question_id=question_id, now=FILED
    )
    with pytest.raises(questions.QuestionRefused, match=shared_texts.FORBIDDEN):
        await questions.review_candidate(
            session=session,
            viewer=instructor,
            candidate_id=candidate.id or 0,
            approve=True,
            now=FILED,
        )
    await questions.review_candidate(
        session=session, viewer=admin, candidate_id=candidate.id or 0, approve=True, now=FILED
    )
    with pytest.raises(questions.QuestionRefused):
        await questions.review_candidate(
            session=session,
            viewer=admin,
            candidate_id=candidate.id or 0,
            approve=False,
            now=FILED,
        )
    stored = (await session.exec(select(FaqCandidate))).one()
    assert stored.status == CandidateStatus.APPROVED
    entries = await questions.approved_entries(session=session, tz=SHANGHAI)
    assert [(e.kind, e.refs, str(e.approved_on)) for e in entries] == [("local", (), "2025-11-14")]
    extended = await questions.knowledge_with_approved(
        session=session, knowledge=knowledge, tz=SHANGHAI
    )
    assert extended is not knowledge
    assert knowledge.local_entries == ()
    hit = extended.search("填报人离职了怎么交接")
    assert hit.results[0].entry.id == f"local-{candidate.id}"
    # Rebuilding replaces the local entries rather than adding them twice.
    assert len(extended.with_local_entries(entries).entries) == len(extended.entries)
    answered = await session.get(Question, question_id)
    assert answered is not None
    assert answered.status == QuestionStatus.ANSWERED
