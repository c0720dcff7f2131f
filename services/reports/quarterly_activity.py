"""The quarterly grid activity (policy: 各级网格每季度要组织学习、交流、探讨、团建等活动).

A level-3 grid holds its quarter's activity when an uncancelled Activity for it starts inside
the quarter (local time). For each quarter "YYYYQn":

- "remind": on the first working day of the quarter's second month, the 网格长 and 网格指导员
  of each grid with none scheduled yet (one message per person, listing their grids);
- "escalate": `escalate_days_before_end` days before the quarter's last day (moved to the
  previous working day), the town's 二级网格长 and 分管负责人 get the list of their grids still
  without one;
- "summary": on the quarter's last working day, the town leaders get their town's grids with
  and without an activity, and the city 管理员s the whole city's.

Reminders and escalations are pointless once the quarter is over (catch-up skips them); the
summary is always sent.
"""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from sqlmodel.ext.asyncio.session import AsyncSession

from core.formatting import cn_date
from models import reports as queries
from models.duties import ClaimKey, claimed_keys
from models.grids import GridRef
from services.duties.base import Reminder
from services.duties.config import QuarterlyActivityConfig
from services.reports import texts
from services.reports.periods import (
    at_local,
    parse_quarter,
    quarter_of,
    quarter_window,
    shift_quarter,
)
from services.reports.roster import Roster, load_roster, unique
from services.workdays import nth_workday_of_month, workday_on_or_before

DUTY = "quarterly_activity"


@dataclass(frozen=True)
class QuarterSchedule:
    quarter: str
    start: datetime  # UTC, inclusive
    end: datetime  # UTC, exclusive: the next quarter's first moment
    last_day: date
    remind_at: datetime
    escalate_at: datetime
    summary_at: datetime


def schedule(
    quarter: str, *, config: QuarterlyActivityConfig, send_time: time, tz: tzinfo
) -> QuarterSchedule:
    year, number = parse_quarter(quarter)
    start, end = quarter_window(quarter, tz)
    last_day = end.astimezone(tz).date() - timedelta(days=1)
    escalate_day = workday_on_or_before(last_day - timedelta(days=config.escalate_days_before_end))
    return QuarterSchedule(
        quarter=quarter,
        start=start,
        end=end,
        last_day=last_day,
        remind_at=at_local(nth_workday_of_month(year, 3 * number - 1, 1), send_time, tz),
        escalate_at=at_local(escalate_day, send_time, tz),
        summary_at=at_local(workday_on_or_before(last_day), send_time, tz),
    )


class QuarterlyActivityDuty:
    """Reminders, escalations and the summary of the quarterly grid activity.

    Built as `QuarterlyActivityDuty(config.quarterly_activity,
    send_time=config.engine.send_time, tz=settings.tz)`.
    """

    name = DUTY
    excludes_claimed = True

    def __init__(self, config: QuarterlyActivityConfig, *, send_time: time, tz: tzinfo) -> None:
        self.config = config
        self.send_time = send_time
        self.tz = tz

    def schedule(self, quarter: str) -> QuarterSchedule:
        return schedule(quarter, config=self.config, send_time=self.send_time, tz=self.tz)

    async def reminders(self, *, session: AsyncSession, at: datetime) -> Sequence[Reminder]:
        """The current and the previous quarter's steps due by `at`."""
        if not self.config.enabled:
            return []
        current = quarter_of(at, self.tz)
        found: list[Reminder] = []
        roster: Roster | None = None
        quarters = [
            quarter
            for quarter in (shift_quarter(current, -1), current)
            if self.schedule(quarter).remind_at <= at
        ]
        # What is claimed is left out here (engine.ExcludesClaimed): the staff reminders are
        # not even built once they went out.
        claimed = await claimed_keys(session=session, duty=self.name, periods=quarters)
        for quarter in quarters:
            plan = self.schedule(quarter)
            roster = roster or await load_roster(session=session)
            judged = roster.judged(plan.start.astimezone(self.tz).date())
            counts = await queries.activity_counts(session=session, start=plan.start, end=plan.end)
            found += self._reminders(plan, judged, counts, claimed)
            if plan.escalate_at <= at:
                found += self._escalations(plan, judged, counts)
            if plan.summary_at <= at and judged.towns:
                found += self._summaries(plan, judged, counts)
        return [r for r in found if r.key not in claimed]

    def _reminders(
        self,
        plan: QuarterSchedule,
        roster: Roster,
        counts: dict[int, int],
        claimed: Collection[ClaimKey],
    ) -> list[Reminder]:
        people: dict[int, list[str]] = {}
        for grid in roster.grids:
            assert grid.id is not None
            if counts.get(grid.id):
                continue
            staff = roster.grid_heads.get(grid.id, []) + roster.instructors.get(grid.id, [])
            for person in staff:
                assert person.id is not None
                names = people.setdefault(person.id, [])
                if grid.name not in names:
                    names.append(grid.name)
        return [
            Reminder(
                duty=DUTY,
                target=f"person:{person_id}",
                period=plan.quarter,
                step="remind",
                person_id=person_id,
                text=texts.quarter_reminder(
                    quarter=plan.quarter, grids=names, end=cn_date(plan.last_day)
                ),
                due_at=plan.remind_at,
                deadline=plan.end,
            )
            for person_id, names in sorted(people.items())
            if (DUTY, f"person:{person_id}", plan.quarter, "remind") not in claimed
        ]

    def _escalations(
        self, plan: QuarterSchedule, roster: Roster, counts: dict[int, int]
    ) -> list[Reminder]:
        found = []
        for town in roster.towns:
            without = [g.name for g in town.grids if not counts.get(g.id or 0)]
            if not without:
                continue
            text = texts.quarter_escalation(
                town=town.town.name,
                quarter=plan.quarter,
                grids=without,
                end=cn_date(plan.last_day),
            )
            for person in unique(town.heads + town.deputies):
                assert person.id is not None
                found.append(
                    Reminder(
                        duty=DUTY,
                        target=f"town:{town.town.id}:person:{person.id}",
                        period=plan.quarter,
                        step="escalate",
                        person_id=person.id,
                        text=text,
                        due_at=plan.escalate_at,
                        deadline=plan.end,
                    )
                )
        return found

    def _summaries(
        self, plan: QuarterSchedule, roster: Roster, counts: dict[int, int]
    ) -> list[Reminder]:
        rows = [
            (
                town.town.name,
                [g.name for g in town.grids if counts.get(g.id or 0)],
                [g.name for g in town.grids if not counts.get(g.id or 0)],
            )
            for town in roster.towns
        ]
        found = []
        for town, row in zip(roster.towns, rows, strict=True):
            text = texts.quarter_summary(scope=town.town.name, quarter=plan.quarter, towns=[row])
            for person in unique(town.heads + town.deputies):
                assert person.id is not None
                found.append(
                    Reminder(
                        duty=DUTY,
                        target=f"town:{town.town.id}:person:{person.id}",
                        period=plan.quarter,
                        step="summary",
                        person_id=person.id,
                        text=text,
                        due_at=plan.summary_at,
                    )
                )
        if rows:
            text = texts.quarter_summary(scope="全市", quarter=plan.quarter, towns=rows)
            for admin in roster.admins:
                assert admin.id is not None
                found.append(
                    Reminder(
                        duty=DUTY,
                        target=f"city:person:{admin.id}",
                        period=plan.quarter,
                        step="summary",
                        person_id=admin.id,
                        text=text,
                        due_at=plan.summary_at,
                    )
                )
        return found


# --- Status (CLI `gridbot duties status --quarter`, /duties) --------------------------------


@dataclass(frozen=True)
class GridQuarterly:
    grid_id: int
    grid_name: str
    # Uncancelled activities for the grid starting in the quarter.
    activities: int
    # Set when the quarter is not judged for the grid (services/coverage.py): the day it is
    # judged from.
    not_judged_before: date | None = None

    @property
    def judged(self) -> bool:
        return self.not_judged_before is None


@dataclass(frozen=True)
class TownQuarterly:
    town_id: int
    town_name: str
    grids: tuple[GridQuarterly, ...]

    @property
    def judged_grids(self) -> tuple[GridQuarterly, ...]:
        return tuple(grid for grid in self.grids if grid.judged)

    @property
    def without(self) -> tuple[GridQuarterly, ...]:
        return tuple(grid for grid in self.judged_grids if not grid.activities)


@dataclass(frozen=True)
class QuarterlyStatus:
    quarter: str
    towns: tuple[TownQuarterly, ...]


async def quarterly_status(
    *,
    session: AsyncSession,
    quarter: str,
    town_ids: Collection[int] | None,
    tz: tzinfo,
) -> QuarterlyStatus:
    """Per town (by name) and level-3 grid: how many activities it holds in the quarter
    (`town_ids` None: the whole city)."""
    start, end = quarter_window(quarter, tz)
    roster = await load_roster(session=session, town_ids=town_ids)
    counts = await queries.activity_counts(session=session, start=start, end=end)
    first_day = start.astimezone(tz).date()
    return QuarterlyStatus(
        quarter=quarter,
        towns=tuple(
            TownQuarterly(
                town_id=town.town.id or 0,
                town_name=town.town.name,
                grids=tuple(_grid_row(grid, counts, roster, first_day) for grid in town.grids),
            )
            for town in roster.towns
        ),
    )


def _grid_row(
    grid: GridRef, counts: dict[int, int], roster: Roster, first_day: date
) -> GridQuarterly:
    judged = roster.coverage.grid_covers(grid.id, first_day)
    return GridQuarterly(
        grid_id=grid.id,
        grid_name=grid.name,
        activities=counts.get(grid.id, 0),
        not_judged_before=None if judged else roster.coverage.grid_from(grid.id),
    )
