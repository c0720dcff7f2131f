"""The monthly grid report (policy: 二级网格长每月听取三级网格长情况汇报应不少于1次).

For each period "YYYY-MM":

- every level-3 网格长 submits a report with /report by the deadline day (`deadline_day`,
  moved to the previous working day when it is not one);
- those who have not submitted are reminded `remind_days_before` days before the deadline
  (steps "d-5", "d-1", "d0"; each day moved to the previous working day) at the engine's send
  time, one message per person listing their grids; after the deadline these reminders are no
  longer worth sending (catch-up skips them);
- on the first working day after the deadline the town's 二级网格长 and 分管负责人 get a digest
  ("digest"): the submitted reports, each readable with a [查看 网格名] button, and the missing
  grids; the 二级网格长's copy carries [已听取汇报], which records the hearing;
- a town whose hearing is not confirmed by the end of the `hearing_by_workday`-th working day
  of the next month is escalated to the city 管理员s ("escalate") on the following working day.

A report submitted again before the digest is due replaces the earlier one; once the digest is
due a report is final, and a grid's first report submitted after that is accepted but marked
late (the town's leaders are told at once). See services/reports/submission.py for the
submission rules.
"""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from core.formatting import cn_date
from models import reports as queries
from models.duties import ClaimKey, claimed_keys
from models.reports import Holder
from services.duties.base import Reminder
from services.duties.config import MonthlyReportConfig
from services.reports import texts
from services.reports.buttons import digest_keyboard
from services.reports.periods import at_local, parse_period, period_of, shift_period
from services.reports.roster import Roster, joined_names, load_roster
from services.workdays import next_workday, nth_workday_of_month, workday_on_or_before

DUTY = "monthly_report"


def _first_day(period: str) -> date:
    year, month = parse_period(period)
    return date(year, month, 1)


def digest_target(town_id: object, person_id: object) -> str:
    """The claim target of a town's digest sent to one person (its [已听取汇报] needs it)."""
    return f"town:{town_id}:person:{person_id}"


@dataclass(frozen=True)
class MonthlySchedule:
    """When each step of one period happens (datetimes in UTC)."""

    period: str
    deadline: date
    # Midnight after the deadline day: reminders are pointless after it.
    deadline_end: datetime
    # (step, due_at), earliest first.
    reminders: tuple[tuple[str, datetime], ...]
    digest_at: datetime
    hearing_by: date
    escalate_at: datetime


def schedule(
    period: str, *, config: MonthlyReportConfig, send_time: time, tz: tzinfo
) -> MonthlySchedule:
    year, month = parse_period(period)
    deadline = workday_on_or_before(date(year, month, config.deadline_day))
    reminders: list[tuple[str, datetime]] = []
    seen: set[date] = set()
    for days in config.remind_days_before:  # largest first
        day = workday_on_or_before(deadline - timedelta(days=days))
        if day in seen:
            # Holidays folded two reminders onto one day: send the earlier step only.
            continue
        seen.add(day)
        reminders.append((f"d-{days}" if days else "d0", at_local(day, send_time, tz)))
    next_year, next_month = parse_period(shift_period(period, 1))
    hearing_by = nth_workday_of_month(next_year, next_month, config.hearing_by_workday)
    return MonthlySchedule(
        period=period,
        deadline=deadline,
        deadline_end=at_local(deadline + timedelta(days=1), time(), tz),
        reminders=tuple(reminders),
        digest_at=at_local(next_workday(deadline), send_time, tz),
        hearing_by=hearing_by,
        escalate_at=at_local(next_workday(hearing_by), send_time, tz),
    )


class MonthlyReportDuty:
    """Reminders, digests and escalations of the monthly grid report.

    Built as `MonthlyReportDuty(config.monthly_report, send_time=config.engine.send_time,
    tz=settings.tz)`.
    """

    name = DUTY
    excludes_claimed = True

    def __init__(self, config: MonthlyReportConfig, *, send_time: time, tz: tzinfo) -> None:
        self.config = config
        self.send_time = send_time
        self.tz = tz

    @property
    def hearing_window(self) -> timedelta:
        """How long after a month's digest its hearing can be confirmed and counts."""
        return timedelta(days=self.config.hearing_window_days)

    def schedule(self, period: str) -> MonthlySchedule:
        return schedule(period, config=self.config, send_time=self.send_time, tz=self.tz)

    async def reminders(self, *, session: AsyncSession, at: datetime) -> Sequence[Reminder]:
        """The current and the previous period: reminders, digests and escalations due by
        `at` and not claimed yet."""
        if not self.config.enabled:
            return []
        current = period_of(at, self.tz)
        found: list[Reminder] = []
        roster: Roster | None = None
        periods = [
            period
            for period in (shift_period(current, -1), current)
            if self.schedule(period).reminders[0][1] <= at
        ]
        # What is claimed is left out here (engine.ExcludesClaimed): the heads' reminders are
        # not even built, so a tick after they went out costs a lookup, not 5,000 texts.
        claimed = await claimed_keys(session=session, duty=self.name, periods=periods)
        for period in periods:
            plan = self.schedule(period)
            roster = roster or await load_roster(session=session)
            judged = roster.judged(_first_day(period))
            reports = await queries.reports_for_period(session=session, period=period)
            found += self._head_reminders(plan, judged, reports, at, claimed)
            if plan.digest_at <= at:
                found += self._digests(plan, judged, reports)
            if plan.escalate_at <= at:
                hearings = await queries.hearings_for_period(session=session, period=period)
                found += self._escalations(plan, judged, reports, hearings)
        return [r for r in found if r.key not in claimed]

    def _head_reminders(
        self,
        plan: MonthlySchedule,
        roster: Roster,
        reports: dict[int, Any],
        at: datetime,
        claimed: Collection[ClaimKey],
    ) -> list[Reminder]:
        missing: dict[int, tuple[Holder, list[str]]] = {}
        for grid in roster.grids:
            if grid.id in reports:
                continue
            for head in roster.grid_heads.get(grid.id or 0, []):
                assert head.id is not None
                missing.setdefault(head.id, (head, []))[1].append(grid.name)
        found = []
        for step, due_at in plan.reminders:
            if due_at > at:
                continue
            for person_id, (_head, names) in sorted(missing.items()):
                if (DUTY, f"person:{person_id}", plan.period, step) in claimed:
                    continue
                found.append(
                    Reminder(
                        duty=DUTY,
                        target=f"person:{person_id}",
                        period=plan.period,
                        step=step,
                        person_id=person_id,
                        text=texts.report_reminder(
                            period=plan.period,
                            deadline=cn_date(plan.deadline),
                            grids=names,
                            step=step,
                        ),
                        due_at=due_at,
                        deadline=plan.deadline_end,
                    )
                )
        return found

    def _digests(
        self, plan: MonthlySchedule, roster: Roster, reports: dict[int, Any]
    ) -> list[Reminder]:
        found = []
        for town in roster.towns:
            assert town.town.id is not None
            submitted = []
            buttons = []
            missing = []
            for grid in town.grids:
                assert grid.id is not None
                if grid.id in reports:
                    report, author = reports[grid.id]
                    when = texts.stamp(report.submitted_at, self.tz)
                    submitted.append((grid.name, author.name, when, report.late))
                    buttons.append((grid.name, report.id))
                else:
                    missing.append((grid.name, joined_names(roster.grid_heads.get(grid.id, []))))
            # Someone both 二级网格长 and 分管负责人 gets one copy, with the head's button.
            recipients = {p.id: (p, False) for p in town.deputies} | {
                p.id: (p, True) for p in town.heads
            }
            for person, for_head in recipients.values():
                assert person.id is not None
                found.append(
                    Reminder(
                        duty=DUTY,
                        target=digest_target(town.town.id, person.id),
                        period=plan.period,
                        step="digest",
                        person_id=person.id,
                        text=texts.report_digest(
                            town=town.town.name,
                            period=plan.period,
                            deadline=cn_date(plan.deadline),
                            submitted=submitted,
                            missing=missing,
                            for_head=for_head,
                        ),
                        due_at=plan.digest_at,
                        buttons=digest_keyboard(
                            town_id=town.town.id,
                            period=plan.period,
                            reports=buttons,
                            for_head=for_head,
                        ),
                    )
                )
        return found

    def _escalations(
        self,
        plan: MonthlySchedule,
        roster: Roster,
        reports: dict[int, Any],
        hearings: dict[int, Any],
    ) -> list[Reminder]:
        found = []
        for town in roster.towns:
            if town.town.id in hearings:
                continue
            submitted = sum(1 for grid in town.grids if grid.id in reports)
            text = texts.report_escalation(
                town=town.town.name,
                period=plan.period,
                heads=joined_names(town.heads),
                submitted=submitted,
                total=len(town.grids),
                by=cn_date(plan.hearing_by),
            )
            for admin in roster.admins:
                assert admin.id is not None
                found.append(
                    Reminder(
                        duty=DUTY,
                        target=f"town:{town.town.id}:person:{admin.id}",
                        period=plan.period,
                        step="escalate",
                        person_id=admin.id,
                        text=text,
                        due_at=plan.escalate_at,
                    )
                )
        return found
