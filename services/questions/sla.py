"""The answer SLA: reminders to the assignee, then escalation to the town's leaders, counted
in working hours. The duty engine's clock runs them (QuestionSlaDuty)."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from core.formatting import esc
from core.settings import Settings
from models import grids, people
from models import questions as queries
from models.enums import Role
from models.tables import Question
from services.access import ROLE_CAPABILITIES, Capability
from services.duties import engine
from services.duties.base import Reminder
from services.questions import texts
from services.questions.buttons import answer_keyboard
from services.workdays import add_working_hours, working_hours_between

SLA_DUTY = "question_sla"
REMIND_STEP = "remind"
ESCALATE_STEP = "escalate"
ESCALATION_ROLES = (Role.TOWN_DEPUTY, Role.TOWN_HEAD)


@dataclass
class SlaReport:
    """Question ids reminded and escalated by one sweep."""

    reminded: list[int] = field(default_factory=list)
    escalated: list[int] = field(default_factory=list)


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
        buttons = answer_keyboard(question.id)
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
                    buttons=buttons,
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
                    buttons=buttons if may else None,
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
