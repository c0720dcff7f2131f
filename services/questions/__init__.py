"""Questions to instructors: filing, answering, follow-ups, hand-overs, the SLA sweep, and
instructors' answers proposed for the knowledge base.

Who answers: the asker's grid 网格指导员, the 副网格长 when no instructor can be reached on
Telegram; whoever it is handed on to afterwards. Who may act on a question: its assignee, or
anyone whose post on the question's grid or town carries ANSWER_QUESTIONS. Every check runs
here, on the server, whatever callback data the client sent.

Messages to people other than the one acting go through the outbox in the caller's
transaction; the caller commits and wakes the worker.
"""

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from core.formatting import esc
from core.settings import Settings
from knowledge.base import Entry, KnowledgeBase, local_entry
from models import grids, people
from models import questions as queries
from models.enums import (
    GRID_STAFF_ROLES,
    CandidateStatus,
    GridLevel,
    QuestionStatus,
    Role,
)
from models.tables import FaqCandidate, Person, Question
from services import outbox
from services import texts as shared_texts
from services.access import ROLE_CAPABILITIES, Capability, Post, Viewer
from services.duties import engine
from services.duties.base import Reminder
from services.questions import texts
from services.todo import TodoItem
from services.workdays import add_working_hours, working_hours_between

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 1500
MAX_ANSWER_CHARS = 3000
SLA_DUTY = "question_sla"
OUTBOX_KIND = "question"
# Who receives a new question, in order; reachable holders first (see `choose_assignee`).
ANSWERING_ROLES = (Role.INSTRUCTOR, Role.GRID_DEPUTY)
# Who may take a handed-over question: answering staff of the town's grids, and the town's
# 分管负责人.
TRANSFER_GRID_ROLES = (Role.INSTRUCTOR, Role.GRID_DEPUTY)
ESCALATION_ROLES = (Role.TOWN_DEPUTY, Role.TOWN_HEAD)
SNIPPET_CHARS = 40


class QuestionRefused(Exception):
    """The viewer may not do this to the question; the message is Chinese, for the user.

    `retry` is True when only the text was wrong (empty, too long): the user may send another.
    """

    def __init__(self, message: str, *, retry: bool = False) -> None:
        super().__init__(message)
        self.retry = retry


# --- Callback data (ids only; every press is re-checked) -----------------------------------


def reply_data(question_id: int) -> str:
    return f"q:reply:{question_id}"


def transfer_data(question_id: int) -> str:
    return f"q:xfer:{question_id}"


def transfer_to_data(question_id: int, person_id: int) -> str:
    return f"q:to:{question_id}:{person_id}"


def follow_data(question_id: int) -> str:
    return f"q:follow:{question_id}"


def close_data(question_id: int) -> str:
    return f"q:close:{question_id}"


def add_to_kb_data(question_id: int) -> str:
    return f"q:kb:{question_id}"


def review_data(candidate_id: int, *, approve: bool) -> str:
    return f"q:{'ok' if approve else 'no'}:{candidate_id}"


def _keyboard(rows: list[list[tuple[str, str]]]) -> dict[str, Any]:
    """A Bot API inline keyboard as the outbox stores it."""
    return {
        "inline_keyboard": [
            [{"text": label, "callback_data": data} for label, data in row] for row in rows
        ]
    }


def answer_keyboard(question_id: int) -> dict[str, Any]:
    """[回复] [转交] under a question shown to whoever should answer it."""
    return _keyboard(
        [
            [
                (texts.QUESTION_REPLY, reply_data(question_id)),
                (texts.QUESTION_TRANSFER, transfer_data(question_id)),
            ]
        ]
    )


def asker_keyboard(question_id: int) -> dict[str, Any]:
    """[追问] [已解决，关闭] under an answer relayed to the asker."""
    return _keyboard(
        [
            [
                (texts.QUESTION_FOLLOW, follow_data(question_id)),
                (texts.QUESTION_CLOSE, close_data(question_id)),
            ]
        ]
    )


# --- Helpers ------------------------------------------------------------------------------


def snippet(text: str, limit: int = SNIPPET_CHARS) -> str:
    """The start of a user's text on one line (not escaped)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else f"{flat[: limit - 1]}…"


def asking_post(viewer: Viewer) -> Post | None:
    """The level-3 grid post a question is filed under: a member post first, else staff."""
    level3 = [p for p in viewer.posts if p.level == GridLevel.GRID]
    members = [p for p in level3 if p.role == Role.MEMBER]
    staff = [p for p in level3 if p.role in GRID_STAFF_ROLES]
    chosen = members or staff
    return chosen[0] if chosen else None


def _answering_posts(viewer: Viewer) -> list[Post]:
    return [p for p in viewer.posts if Capability.ANSWER_QUESTIONS in ROLE_CAPABILITIES[p.role]]


def may_answer(viewer: Viewer, question: Question, town_id: int | None) -> bool:
    """The assignee, or staff of the question's grid or town who may answer questions."""
    if question.assignee_id == viewer.person_id:
        return True
    return any(
        p.grid_id == question.grid_id or (town_id is not None and p.grid_id == town_id)
        for p in _answering_posts(viewer)
    )


def _role_on(viewer: Viewer, grid_id: int, town_id: int | None) -> str:
    """How the viewer signs an answer: their role on the question's grid or town."""
    for post in _answering_posts(viewer):
        if post.grid_id in (grid_id, town_id):
            return post.role.value
    return Role.INSTRUCTOR.value if viewer.can(Capability.ANSWER_QUESTIONS) else ""


def _reachable(person: Person, accounts: dict[int, int]) -> bool:
    return person.id in accounts and person.unreachable_at is None


async def _town_of(session: AsyncSession, grid_id: int) -> int | None:
    grid = await grids.grid_by_id(session=session, grid_id=grid_id)
    return grid.parent_id if grid is not None else None


async def _grid_name(session: AsyncSession, grid_id: int) -> str:
    grid = await grids.grid_by_id(session=session, grid_id=grid_id)
    return grid.name if grid is not None else ""


async def _name(session: AsyncSession, person_id: int | None) -> str:
    if person_id is None:
        return texts.QUESTION_NOBODY_ASSIGNED
    person = await people.person_by_id(session=session, person_id=person_id)
    return person.name if person is not None else ""


async def _notify(
    session: AsyncSession,
    *,
    person_id: int,
    text: str,
    reply_markup: dict[str, Any] | None,
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
        reply_markup=reply_markup,
        dedupe_key=dedupe_key,
        ref=f"question:{question_id}",
    )
    return True


async def _load(session: AsyncSession, question_id: int) -> Question:
    question = await queries.question_by_id(
        session=session, question_id=question_id, for_update=True
    )
    if question is None:
        raise QuestionRefused(shared_texts.STALE_BUTTON)
    return question


async def _load_for_answering(
    session: AsyncSession, viewer: Viewer, question_id: int
) -> tuple[Question, int | None]:
    question = await _load(session, question_id)
    town_id = await _town_of(session, question.grid_id)
    if not may_answer(viewer, question, town_id):
        log.info("person %s refused on question %s", viewer.person_id, question_id)
        raise QuestionRefused(texts.QUESTION_NOT_YOURS)
    if question.status == QuestionStatus.CLOSED:
        raise QuestionRefused(texts.QUESTION_ALREADY_CLOSED)
    return question, town_id


def _check_text(text: str, limit: int) -> str:
    text = text.strip()
    if not text:
        raise QuestionRefused(texts.ASK_EMPTY, retry=True)
    if len(text) > limit:
        raise QuestionRefused(texts.ASK_TOO_LONG.format(limit=limit), retry=True)
    return text


# --- Filing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Assignee:
    person_id: int
    name: str
    role: Role


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
        town_id = await _town_of(session, grid_id)
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


def may_file(viewer: Viewer) -> bool:
    return asking_post(viewer) is not None


async def file_question(
    *, session: AsyncSession, viewer: Viewer, text: str, now: datetime
) -> Filed:
    """File the viewer's question in their grid and notify whoever answers it."""
    post = asking_post(viewer)
    if post is None:
        raise QuestionRefused(texts.ASK_NOT_IN_GRID)
    body = _check_text(text, MAX_QUESTION_CHARS)
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
    await _notify(
        session,
        person_id=assignee.person_id,
        text=texts.QUESTION_NOTIFY.format(
            id=question.id,
            grid=esc(post.grid_name),
            asker=esc(viewer.name),
            text=esc(body),
        ),
        reply_markup=answer_keyboard(question.id),
        dedupe_key=f"question:{question.id}:filed",
        question_id=question.id,
    )
    log.info("question %s filed by %s for %s", question.id, viewer.person_id, assignee.person_id)
    return Filed(question=question, assignee=assignee)


# --- Answering, following up, closing ----------------------------------------------------


async def question_for_answering(
    *, session: AsyncSession, viewer: Viewer, question_id: int
) -> Question:
    """The question, if the viewer may reply to or hand it on; QuestionRefused otherwise."""
    question, _town = await _load_for_answering(session, viewer, question_id)
    return question


async def record_answer(
    *, session: AsyncSession, viewer: Viewer, question_id: int, body: str, now: datetime
) -> Question:
    """Store the reply and relay it to the asker with [追问] [已解决，关闭]."""
    question, town_id = await _load_for_answering(session, viewer, question_id)
    answer = _check_text(body, MAX_ANSWER_CHARS)
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
    await _notify(
        session,
        person_id=question.asker_id,
        text=texts.QUESTION_ANSWER_RELAY.format(
            role=esc(_role_on(viewer, question.grid_id, town_id)),
            name=esc(viewer.name),
            id=question.id,
            question=esc(snippet(question.text, 200)),
            answer=esc(answer),
        ),
        reply_markup=asker_keyboard(question.id),
        dedupe_key=f"question:{question.id}:post:{post.id}",
        question_id=question.id,
    )
    return question


async def question_for_asker(
    *, session: AsyncSession, viewer: Viewer, question_id: int
) -> Question:
    question = await _load(session, question_id)
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
    text = _check_text(body, MAX_QUESTION_CHARS)
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
        await _notify(
            session,
            person_id=question.assignee_id,
            text=texts.QUESTION_FOLLOWUP_NOTIFY.format(
                id=question.id,
                grid=esc(await _grid_name(session, question.grid_id)),
                asker=esc(viewer.name),
                text=esc(text),
            ),
            reply_markup=answer_keyboard(question.id),
            dedupe_key=f"question:{question.id}:post:{post.id}",
            question_id=question.id,
        )
    return await _name(session, question.assignee_id)


async def close_question(
    *, session: AsyncSession, viewer: Viewer, question_id: int, now: datetime
) -> Question:
    question = await question_for_asker(session=session, viewer=viewer, question_id=question_id)
    question.status = QuestionStatus.CLOSED
    question.closed_at = now
    question.waiting_since = None
    await queries.save_question(session=session, question=question)
    return question


# --- Handing over -------------------------------------------------------------------------


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
    question, town_id = await _load_for_answering(session, viewer, question_id)
    return await _targets(session, question, town_id)


async def _targets(
    session: AsyncSession, question: Question, town_id: int | None
) -> list[TransferTarget]:
    if town_id is None:
        return []
    grid_ids = await queries.town_grid_ids(session=session, town_id=town_id)
    rows = await queries.staff_holding(
        session=session, grid_ids=[town_id], roles=[Role.TOWN_DEPUTY]
    ) + await queries.staff_holding(session=session, grid_ids=grid_ids, roles=TRANSFER_GRID_ROLES)
    names = {grid_id: await _grid_name(session, grid_id) for grid_id in {row[1] for row in rows}}
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
    question, town_id = await _load_for_answering(session, viewer, question_id)
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
    await _notify(
        session,
        person_id=target.person_id,
        text=texts.QUESTION_TRANSFER_NOTIFY.format(
            id=question.id,
            by=esc(viewer.name),
            grid=esc(await _grid_name(session, question.grid_id)),
            asker=esc(await _name(session, question.asker_id)),
            text=esc(question.text),
        ),
        reply_markup=answer_keyboard(question.id),
        dedupe_key=f"question:{question.id}:post:{post.id}",
        question_id=question.id,
    )
    log.info("question %s handed from %s to %s", question.id, viewer.person_id, target_id)
    return target


# --- Listing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class WaitingQuestion:
    id: int
    asker: str
    grid: str
    text: str
    waiting_since: datetime | None


async def waiting_for(*, session: AsyncSession, viewer: Viewer) -> list[WaitingQuestion]:
    """Open questions assigned to the viewer, longest waiting first."""
    found = await queries.open_questions_assigned_to(session=session, person_id=viewer.person_id)
    listed = []
    for question in found:
        assert question.id is not None
        listed.append(
            WaitingQuestion(
                id=question.id,
                asker=await _name(session, question.asker_id),
                grid=await _grid_name(session, question.grid_id),
                text=question.text,
                waiting_since=question.waiting_since,
            )
        )
    return listed


def waited_label(since: datetime | None, now: datetime) -> str:
    if since is None:
        return ""
    hours = max(0, int((now - since).total_seconds() // 3600))
    if hours >= 24:
        return texts.WAITED_DAYS.format(days=hours // 24, hours=hours % 24)
    return texts.WAITED_HOURS.format(hours=hours)


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


# --- SLA ----------------------------------------------------------------------------------


@dataclass
class SlaReport:
    """Question ids reminded and escalated by one sweep."""

    reminded: list[int] = field(default_factory=list)
    escalated: list[int] = field(default_factory=list)


REMIND_STEP = "remind"
ESCALATE_STEP = "escalate"


async def sla_reminders(
    *, session: AsyncSession, at: datetime, settings: Settings
) -> list[Reminder]:
    """The SLA's reminders due by `at` (a read): the assignee of every question waiting
    `question_remind_hours` working hours, until it has waited `question_escalate_hours` (the
    reminder's deadline: a question first seen later is escalated only); then the town's
    分管负责人 (else 二级网格长). Each once per wait: the period is when the wait began."""
    tz = settings.tz
    due: list[tuple[Question, datetime]] = []
    for question in await queries.waiting_questions(session=session):
        assert question.waiting_since is not None
        remind_at = add_working_hours(question.waiting_since, settings.question_remind_hours, tz)
        if remind_at <= at:
            due.append((question, remind_at))
    involved = {pid for q, _r in due for pid in (q.asker_id, q.assignee_id) if pid is not None}
    names = {
        p.id: p.name for p in await people.people_by_ids(session=session, person_ids=list(involved))
    }
    grid_rows = await grids.grids_by_ids(session=session, grid_ids={q.grid_id for q, _r in due})
    # Town leaders, looked up once per town however many of its questions wait.
    leaders: dict[int | None, list[tuple[Role, int]]] = {}
    found: list[Reminder] = []
    for question, remind_at in due:
        assert question.id is not None
        assert question.waiting_since is not None
        escalate_at = add_working_hours(
            question.waiting_since, settings.question_escalate_hours, tz
        )
        hours = int(working_hours_between(question.waiting_since, at, tz))
        target = f"question:{question.id}"
        period = question.waiting_since.isoformat()
        grid_row = grid_rows.get(question.grid_id)
        grid = esc(grid_row.name if grid_row is not None else "")
        asker = esc(names.get(question.asker_id, ""))
        if question.assignee_id is not None:
            found.append(
                Reminder(
                    duty=SLA_DUTY,
                    target=target,
                    period=period,
                    step=REMIND_STEP,
                    person_id=question.assignee_id,
                    text=texts.QUESTION_REMIND.format(
                        id=question.id,
                        hours=hours,
                        grid=grid,
                        asker=asker,
                        text=esc(question.text),
                    ),
                    due_at=remind_at,
                    deadline=escalate_at,
                    reply_markup=answer_keyboard(question.id),
                    ref=target,
                )
            )
        if escalate_at > at:
            continue
        text = texts.QUESTION_ESCALATE.format(
            id=question.id,
            hours=hours,
            grid=grid,
            asker=asker,
            assignee=esc(
                names.get(question.assignee_id, "")
                if question.assignee_id is not None
                else texts.QUESTION_NOBODY_ASSIGNED
            ),
            text=esc(question.text),
        )
        town_id = grid_row.parent_id if grid_row is not None else None
        if town_id not in leaders:
            leaders[town_id] = await _escalation_leaders(session, town_id)
        for role, person_id in leaders[town_id]:
            may = Capability.ANSWER_QUESTIONS in ROLE_CAPABILITIES[role]
            found.append(
                Reminder(
                    duty=SLA_DUTY,
                    target=target,
                    period=period,
                    step=f"{ESCALATE_STEP}:{person_id}",
                    person_id=person_id,
                    text=text,
                    due_at=escalate_at,
                    # Only a leader who may answer gets the buttons (the 二级网格长 may not).
                    reply_markup=answer_keyboard(question.id) if may else None,
                    ref=target,
                )
            )
    return found


async def _escalation_leaders(session: AsyncSession, town_id: int | None) -> list[tuple[Role, int]]:
    """The town's 分管负责人 if any is on Telegram, else its 二级网格长 on Telegram; when none
    is, all of them (their reminders are then claimed as skipped, for the record)."""
    if town_id is None:
        return []
    leaders = [
        (role, person.id)
        for role, _g, person in await queries.staff_holding(
            session=session, grid_ids=[town_id], roles=ESCALATION_ROLES
        )
        if person.id is not None
    ]
    accounts = await people.live_telegram_ids(
        session=session, person_ids=[pid for _r, pid in leaders]
    )
    for wanted in ESCALATION_ROLES:
        chosen = [(r, pid) for r, pid in leaders if r == wanted and pid in accounts]
        if chosen:
            return chosen
    return leaders


async def sla_sweep(*, session: AsyncSession, now: datetime, settings: Settings) -> SlaReport:
    """Run the SLA's due reminders through the reminder engine in the caller's transaction (the
    caller commits): each is claimed once, so sweeping again sends nothing twice. The bot's
    clock runs all duties through `services.duties.engine.run_due` instead."""
    found = await sla_reminders(session=session, at=now, settings=settings)
    done = await engine.settle(
        session=session, reminders=[r for r in found if engine.is_due(r, now)], now=now
    )
    report = SlaReport()
    for reminder in done.queued:
        question_id = int(reminder.target.removeprefix("question:"))
        wanted = report.reminded if reminder.step == REMIND_STEP else report.escalated
        if question_id not in wanted:
            wanted.append(question_id)
    return report


# --- Knowledge-base candidates ------------------------------------------------------------


async def propose_candidate(
    *, session: AsyncSession, viewer: Viewer, question_id: int, now: datetime
) -> FaqCandidate:
    """Propose the question and its latest answer for the knowledge base (once per question)."""
    question = await _load(session, question_id)
    town_id = await _town_of(session, question.grid_id)
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
                author=await _name(session, candidate.author_id),
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


async def asker_name(*, session: AsyncSession, question: Question) -> str:
    return await _name(session, question.asker_id)
