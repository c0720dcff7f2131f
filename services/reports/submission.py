"""Monthly grid reports in the chat: drafting and submitting, reading a report from the digest
and confirming the hearing. No `telegram` import.

Rules:
- Only a 网格长 of a level-3 grid reports on it, for the current month (local time).
- Submitting again before the town's digest is due replaces the grid's report of the period.
- Once the digest is due a grid's report is final; a grid with no report yet may still
  submit, the report is marked late and the town's 二级网格长 and 分管负责人 are told at once
  (with a [查看] button).
- A report is readable by the town's leaders, city-wide roles and the grid's own staff.
- Only the town's 二级网格长 confirms [已听取汇报], once per period, after the digest is due.
"""

from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from enum import StrEnum

from sqlmodel.ext.asyncio.session import AsyncSession

from models import activities as activity_queries
from models import grids as grid_queries
from models import people
from models import reports as queries
from models.duties import claim_status
from models.enums import GridLevel, ReminderStatus, Role
from models.tables import Grid, MonthlyReport
from services.access import Viewer
from services.outbox import Recipient, enqueue_broadcast
from services.reports import texts
from services.reports.buttons import view_keyboard
from services.reports.monthly_duty import DUTY, MonthlyReportDuty, digest_target
from services.reports.periods import parse_period, period_of
from services.reports.suggestions import suggestions

LATE_KIND = "monthly_report"

Parts = tuple[str, str, str, str]


def head_grid_ids(viewer: Viewer) -> list[int]:
    """Level-3 grids where the viewer is 网格长."""
    return sorted(
        {
            post.grid_id
            for post in viewer.posts
            if post.role == Role.GRID_HEAD and post.level == GridLevel.GRID
        }
    )


async def head_grids(*, session: AsyncSession, viewer: Viewer) -> list[Grid]:
    return await activity_queries.level3_grids_by_ids(
        session=session, grid_ids=head_grid_ids(viewer)
    )


# --- Drafting and submitting ----------------------------------------------------------------


class ReportProblem(StrEnum):
    NOT_HEAD = "not_head"
    LOCKED = "locked"


class ReportError(Exception):
    def __init__(self, problem: ReportProblem, existing: MonthlyReport | None = None) -> None:
        super().__init__(problem.value)
        self.problem = problem
        self.existing = existing


@dataclass
class ReportDraft:
    """A report being written in the chat; nothing is stored until it is submitted."""

    grid_id: int
    grid_name: str
    period: str
    suggestions: tuple[str | None, str | None, str | None, str | None]
    existing: bool
    parts: list[str] = field(default_factory=list)

    @property
    def step(self) -> int:
        return len(self.parts)

    @property
    def complete(self) -> bool:
        return len(self.parts) == len(texts.REPORT_PARTS)

    def answers(self) -> Parts:
        assert self.complete
        return (self.parts[0], self.parts[1], self.parts[2], self.parts[3])


async def _checked_grid(session: AsyncSession, viewer: Viewer, grid_id: int) -> Grid:
    if grid_id not in head_grid_ids(viewer):
        raise ReportError(ReportProblem.NOT_HEAD)
    grid = await grid_queries.grid_by_id(session=session, grid_id=grid_id)
    if grid is None or grid.level != GridLevel.GRID:
        raise ReportError(ReportProblem.NOT_HEAD)
    return grid


async def start_draft(
    *, session: AsyncSession, viewer: Viewer, grid_id: int, now: datetime, duty: MonthlyReportDuty
) -> ReportDraft:
    """A fresh draft for the current period, with the bot's suggestions; ReportError when the
    viewer is not the grid's 网格长 or its report is already final."""
    grid = await _checked_grid(session, viewer, grid_id)
    period = period_of(now, duty.tz)
    existing = await queries.report_for(session=session, grid_id=grid_id, period=period)
    if existing is not None and now >= duty.schedule(period).digest_at:
        raise ReportError(ReportProblem.LOCKED, existing)
    return ReportDraft(
        grid_id=grid_id,
        grid_name=grid.name,
        period=period,
        suggestions=await suggestions(
            session=session, grid_id=grid_id, period=period, now=now, tz=duty.tz
        ),
        existing=existing is not None,
    )


@dataclass(frozen=True)
class Submitted:
    report_id: int
    late: bool
    replaced: bool
    # Town leaders told of a late report (0 when on time).
    alerted: int


async def submit_report(
    *,
    session: AsyncSession,
    viewer: Viewer,
    draft: ReportDraft,
    now: datetime,
    duty: MonthlyReportDuty,
) -> Submitted:
    """Store the report in the caller's transaction (and queue the late alert); ReportError
    when the viewer is no longer the grid's 网格长 or the report became final meanwhile."""
    grid = await _checked_grid(session, viewer, draft.grid_id)
    plan = duty.schedule(draft.period)
    existing = await queries.report_for(session=session, grid_id=grid.id or 0, period=draft.period)
    late = now >= plan.digest_at
    if existing is not None and late:
        raise ReportError(ReportProblem.LOCKED, existing)
    activities, problems, help_needed, plan_text = draft.answers()
    report_id = await queries.upsert_report(
        session=session,
        report=MonthlyReport(
            grid_id=draft.grid_id,
            period=draft.period,
            author_id=viewer.person_id,
            activities=activities,
            problems=problems,
            help_needed=help_needed,
            plan=plan_text,
            late=late,
            submitted_at=now,
        ),
    )
    alerted = 0
    if late and grid.parent_id is not None:
        alerted = await _alert_town(
            session, grid=grid, period=draft.period, report_id=report_id, author=viewer.name
        )
    return Submitted(report_id=report_id, late=late, replaced=existing is not None, alerted=alerted)


async def _alert_town(
    session: AsyncSession, *, grid: Grid, period: str, report_id: int, author: str
) -> int:
    assert grid.parent_id is not None
    leaders = await queries.role_holders(
        session=session, roles=(Role.TOWN_HEAD, Role.TOWN_DEPUTY), grid_ids=[grid.parent_id]
    )
    person_ids = sorted({person.id for _role, _grid, person in leaders if person.id is not None})
    chats = await people.live_telegram_ids(session=session, person_ids=person_ids)
    recipients = [
        Recipient(chat_id=chats[pid], person_id=pid) for pid in person_ids if pid in chats
    ]
    if not recipients:
        return 0
    return await enqueue_broadcast(
        session=session,
        recipients=recipients,
        text=texts.report_late_alert(grid=grid.name, period=period, author=author),
        kind=LATE_KIND,
        buttons=view_keyboard([(grid.name, report_id)]),
        dedupe_key=f"monthly_report:late:{report_id}",
        ref=f"monthly_report:{report_id}",
    )


# --- Reading and hearing ----------------------------------------------------------------------


async def readable_report(
    *, session: AsyncSession, viewer: Viewer, report_id: int, tz: tzinfo
) -> str | None:
    """The report as HTML if the viewer may read it (the town's leaders, city-wide roles, the
    grid's staff); None otherwise, or if there is no such report."""
    report = await queries.report_by_id(session=session, report_id=report_id)
    if report is None:
        return None
    grid = await grid_queries.grid_by_id(session=session, grid_id=report.grid_id)
    if grid is None or not viewer.may_view_grid(grid_id=grid.id or 0, town_id=grid.parent_id or 0):
        return None
    author = await people.person_by_id(session=session, person_id=report.author_id)
    return texts.report_view(
        grid=grid.name,
        period=report.period,
        author=author.name if author else "",
        submitted=report.submitted_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
        late=report.late,
        parts=(report.activities, report.problems, report.help_needed, report.plan),
    )


class HearingOutcome(StrEnum):
    CONFIRMED = "confirmed"
    ALREADY = "already"
    FORBIDDEN = "forbidden"
    TOO_EARLY = "too_early"
    # The period's digest was never sent to this person: nothing for them to have heard.
    NO_DIGEST = "no_digest"
    # Past the duties file's hearing window: it would not count, so it is not recorded.
    TOO_LATE = "too_late"


@dataclass(frozen=True)
class Hearing:
    outcome: HearingOutcome
    town: str = ""
    by: str = ""
    at: datetime | None = None


async def confirm_hearing(
    *,
    session: AsyncSession,
    viewer: Viewer,
    town_id: int,
    period: str,
    now: datetime,
    duty: MonthlyReportDuty,
) -> Hearing:
    """Record that the town's 二级网格长 heard the period's reports (in the caller's
    transaction). Anyone else, another town's head included, is refused; so is a period whose
    digest was not sent to this person (a forged or guessed button for a month without
    reports) and a confirmation after the hearing window."""
    post = next(
        (p for p in viewer.posts if p.role == Role.TOWN_HEAD and p.grid_id == town_id), None
    )
    try:
        parse_period(period)
    except ValueError:
        post = None
    if post is None:
        return Hearing(HearingOutcome.FORBIDDEN)
    digest_at = duty.schedule(period).digest_at
    if now < digest_at:
        return Hearing(HearingOutcome.TOO_EARLY, town=post.grid_name)
    sent = await claim_status(
        session=session,
        duty=DUTY,
        target=digest_target(town_id, viewer.person_id),
        period=period,
        step="digest",
    )
    if sent != ReminderStatus.QUEUED:
        return Hearing(HearingOutcome.NO_DIGEST, town=post.grid_name)
    if now > digest_at + duty.hearing_window:
        return Hearing(HearingOutcome.TOO_LATE, town=post.grid_name)
    if await queries.insert_hearing(
        session=session, town_id=town_id, period=period, person_id=viewer.person_id, now=now
    ):
        return Hearing(HearingOutcome.CONFIRMED, town=post.grid_name, by=viewer.name, at=now)
    hearing, person = (
        await queries.hearings_for_period(session=session, period=period, town_ids=[town_id])
    )[town_id]
    return Hearing(
        HearingOutcome.ALREADY, town=post.grid_name, by=person.name, at=hearing.confirmed_at
    )
