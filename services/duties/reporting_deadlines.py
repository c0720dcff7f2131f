"""联网直报 deadlines: the duty that reminds each enterprise statistician a few working days
before the deadlines of their enterprises, from the calendar file (services/duties/calendar.py).

The shipped calendar is an EXAMPLE (its `example = true` flag makes every reminder say so);
the city bureau replaces it with its real calendar. A deadline on a weekend or holiday moves to
the previous working day (调休 included); the reminder goes out `remind_workdays_before`
working days before that. Everything due for one person on one day is one message.
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta, tzinfo

from sqlmodel.ext.asyncio.session import AsyncSession

from core.formatting import cn_date
from models.enums import Industry
from models.reporting import kept_enterprises
from services.duties import texts
from services.duties.base import Reminder
from services.duties.calendar import DeadlineEntry, ReportingCalendar
from services.duties.config import DutiesConfig, load_calendar
from services.workdays import workday_on_or_before, workdays_before

# Deadlines this far behind `today` are still reported (their reminders get claimed as skipped
# on a catch-up); remind_workdays_before is at most 20 working days, which 62 days cover.
LOOK_BACK = timedelta(days=7)
LOOK_AHEAD = timedelta(days=62)


class ReportingDeadlineDuty:
    """Remind each statistician `remind_workdays_before` working days before the deadlines that
    apply to their enterprises' industries: one message per person and deadline day."""

    name = "reporting_deadline"

    def __init__(
        self,
        duties: DutiesConfig,
        *,
        tz: tzinfo,
        calendar: ReportingCalendar | None = None,
    ) -> None:
        self._workdays_before = duties.reporting_deadlines.remind_workdays_before
        self._send_time: time = duties.engine.send_time
        self._tz = tz
        # Read at construction, so a wrong calendar stops the bot at start-up.
        self.calendar = calendar if calendar is not None else load_calendar(duties.calendar_path)

    def due_day(self, deadline: date) -> date:
        """The day the reminder for a (moved) deadline goes out."""
        return workdays_before(deadline, self._workdays_before)

    def occurrences(self, today: date) -> dict[date, list[tuple[DeadlineEntry, date]]]:
        """Effective deadlines near `today`, each with its reports and their nominal dates."""
        found: dict[date, list[tuple[DeadlineEntry, date]]] = defaultdict(list)
        for year in (today.year - 1, today.year, today.year + 1):
            for entry in self.calendar.deadline:
                for nominal in entry.deadlines_in(year):
                    effective = workday_on_or_before(nominal)
                    if today - LOOK_BACK <= effective <= today + LOOK_AHEAD:
                        found[effective].append((entry, nominal))
        return found

    async def reminders(self, *, session: AsyncSession, at: datetime) -> Sequence[Reminder]:
        today = at.astimezone(self._tz).date()
        due: dict[date, list[tuple[DeadlineEntry, date]]] = {}
        for effective, reports in self.occurrences(today).items():
            due_at = datetime.combine(self.due_day(effective), self._send_time, tzinfo=self._tz)
            if due_at <= at:
                due[effective] = reports
        if not due:
            return []
        industries = {
            i for reports in due.values() for entry, _ in reports for i in entry.industries
        }
        kept: dict[int, dict[Industry, list[str]]] = defaultdict(lambda: defaultdict(list))
        for row in await kept_enterprises(session=session, industries=industries):
            kept[row.statistician_id][row.industry].append(row.enterprise)
        result: list[Reminder] = []
        for effective, reports in sorted(due.items()):
            due_day = self.due_day(effective)
            due_at = datetime.combine(due_day, self._send_time, tzinfo=self._tz)
            # The report can be filed until the end of its deadline day.
            deadline = datetime.combine(effective + timedelta(days=1), time(), tzinfo=self._tz)
            for person_id, by_industry in kept.items():
                lines = []
                for entry, nominal in reports:
                    names = [n for i in entry.industries for n in by_industry.get(i, [])]
                    if names:
                        moved = cn_date(nominal) if nominal != effective else None
                        lines.append(
                            texts.deadline_line(
                                report=entry.name, enterprises=names, moved_from=moved
                            )
                        )
                if not lines:
                    continue
                body = [
                    texts.DEADLINE_HEADING,
                    texts.deadline_intro(deadline=cn_date(effective), today=due_day == effective),
                    *lines,
                ]
                if self.calendar.example:
                    body += ["", texts.DEADLINE_EXAMPLE_NOTE]
                result.append(
                    Reminder(
                        duty=self.name,
                        target=f"person:{person_id}",
                        period=effective.isoformat(),
                        step="pre",
                        person_id=person_id,
                        text="\n".join(body),
                        due_at=due_at,
                        deadline=deadline,
                    )
                )
        return result
