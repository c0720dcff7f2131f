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
late (the town's leaders are told at once). See services/reports.py for the submission rules.
"""

import functools
import re
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from core.formatting import cn_date
from core.settings import Settings
from models import grids as grid_queries
from models import reports as queries
from models.duties import ClaimKey, claimed_keys
from models.enums import GridLevel, Role
from models.grids import GridRef
from models.reports import Holder
from models.tables import Grid
from services.access import Viewer
from services.duties.base import Reminder
from services.duties.config import DutiesConfig, MonthlyReportConfig, load_duties
from services.reports import texts as reports_texts
from services.todo import TodoItem
from services.workdays import is_workday, nth_workday_of_month, workday_on_or_before

DUTY = "monthly_report"
VIEW_PREFIX = "mr:v:"
HEAR_PREFIX = "mr:h:"
PERIOD_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class PeriodError(ValueError):
    """A period that is not "YYYY-MM"."""


def parse_period(period: str) -> tuple[int, int]:
    match = PERIOD_RE.fullmatch(period)
    if match is None:
        raise PeriodError(f"期间应为 YYYY-MM，例如 2026-12：{period!r}")
    return int(match[1]), int(match[2])


def period_of(moment: datetime, tz: tzinfo) -> str:
    local = moment.astimezone(tz)
    return f"{local.year:04d}-{local.month:02d}"


def shift_period(period: str, months: int) -> str:
    year, month = parse_period(period)
    index = year * 12 + month - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def next_workday(d: date) -> date:
    """The first working day strictly after `d`."""
    day = d + timedelta(days=1)
    while not is_workday(day):
        day += timedelta(days=1)
    return day


def _at(d: date, clock: time, tz: tzinfo) -> datetime:
    return datetime.combine(d, clock, tzinfo=tz).astimezone(UTC)


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
        reminders.append((f"d-{days}" if days else "d0", _at(day, send_time, tz)))
    next_year, next_month = parse_period(shift_period(period, 1))
    hearing_by = nth_workday_of_month(next_year, next_month, config.hearing_by_workday)
    return MonthlySchedule(
        period=period,
        deadline=deadline,
        deadline_end=_at(deadline + timedelta(days=1), time(), tz),
        reminders=tuple(reminders),
        digest_at=_at(next_workday(deadline), send_time, tz),
        hearing_by=hearing_by,
        escalate_at=_at(next_workday(hearing_by), send_time, tz),
    )


@functools.cache
def _load(path: Path | None) -> DutiesConfig:
    return load_duties(path)


def duties_config(path: Path | None = None) -> DutiesConfig:
    """The duties file, read once per path (it is validated at start-up)."""
    return _load(path)


# --- Digest keyboard ------------------------------------------------------------------------


def view_data(report_id: int) -> str:
    return f"{VIEW_PREFIX}{report_id}"


def hear_data(town_id: int, period: str) -> str:
    return f"{HEAR_PREFIX}{town_id}:{period}"


def view_markup(reports: Sequence[tuple[str, int]]) -> list[list[dict[str, str]]]:
    """[查看 网格名] rows, two buttons a row; `reports` is (grid name, report id)."""
    buttons = [
        {"text": reports_texts.report_view_button(name), "callback_data": view_data(report_id)}
        for name, report_id in reports
    ]
    return [buttons[i : i + 2] for i in range(0, len(buttons), 2)]


def digest_markup(
    *, town_id: int, period: str, reports: Sequence[tuple[str, int]], for_head: bool
) -> dict[str, Any] | None:
    rows = view_markup(reports)
    if for_head:
        rows.append(
            [{"text": reports_texts.REPORT_HEARD, "callback_data": hear_data(town_id, period)}]
        )
    return {"inline_keyboard": rows} if rows else None


# --- The roster as the duty sees it ---------------------------------------------------------


@dataclass
class TownRoster:
    town: Grid
    grids: list[GridRef] = field(default_factory=list)
    heads: list[Holder] = field(default_factory=list)  # 二级网格长
    deputies: list[Holder] = field(default_factory=list)  # 分管负责人


@dataclass
class Roster:
    """Towns (by name) that have level-3 grids, and who holds the roles duties remind."""

    towns: list[TownRoster]
    grid_heads: dict[int, list[Holder]]  # level-3 grid id -> its 网格长s
    instructors: dict[int, list[Holder]]  # level-3 grid id -> its 网格指导员s
    admins: list[Holder]

    @property
    def grids(self) -> list[GridRef]:
        return [grid for town in self.towns for grid in town.grids]


async def load_roster(*, session: AsyncSession, town_ids: Collection[int] | None = None) -> Roster:
    """Three queries whatever the city's size: towns, level-3 grids, role holders."""
    towns = await queries.towns_by_ids(session=session, town_ids=town_ids)
    by_id = {town.id: TownRoster(town) for town in towns if town.id is not None}
    for grid in await grid_queries.level3_grid_refs(session=session):
        if grid.parent_id in by_id:
            by_id[grid.parent_id].grids.append(grid)
    grid_heads: dict[int, list[Holder]] = defaultdict(list)
    instructors: dict[int, list[Holder]] = defaultdict(list)
    level3 = {grid.id for town in by_id.values() for grid in town.grids}
    admins: dict[int, Holder] = {}
    roles = (Role.GRID_HEAD, Role.INSTRUCTOR, Role.TOWN_HEAD, Role.TOWN_DEPUTY, Role.ADMIN)
    for role, grid_id, person in await queries.role_holder_refs(session=session, roles=roles):
        if role == Role.GRID_HEAD and grid_id in level3:
            grid_heads[grid_id].append(person)
        elif role == Role.INSTRUCTOR and grid_id in level3:
            instructors[grid_id].append(person)
        elif role == Role.TOWN_HEAD and grid_id in by_id:
            by_id[grid_id].heads.append(person)
        elif role == Role.TOWN_DEPUTY and grid_id in by_id:
            by_id[grid_id].deputies.append(person)
        elif role == Role.ADMIN and person.id is not None:
            admins[person.id] = person
    return Roster(
        towns=[town for town in by_id.values() if town.grids],
        grid_heads=grid_heads,
        instructors=instructors,
        admins=list(admins.values()),
    )


def _names(people: Sequence[Holder]) -> str:
    return "、".join(person.name for person in people)


# --- The duty -------------------------------------------------------------------------------


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
            reports = await queries.reports_for_period(session=session, period=period)
            found += self._head_reminders(plan, roster, reports, at, claimed)
            if plan.digest_at <= at:
                found += self._digests(plan, roster, reports)
            if plan.escalate_at <= at:
                hearings = await queries.hearings_for_period(session=session, period=period)
                found += self._escalations(plan, roster, reports, hearings)
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
                        text=reports_texts.report_reminder(
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
                    when = report.submitted_at.astimezone(self.tz).strftime("%m-%d %H:%M")
                    submitted.append((grid.name, author.name, when, report.late))
                    buttons.append((grid.name, report.id))
                else:
                    missing.append((grid.name, _names(roster.grid_heads.get(grid.id, []))))
            # Someone both 二级网格长 and 分管负责人 gets one copy, with the head's button.
            recipients = {p.id: (p, False) for p in town.deputies} | {
                p.id: (p, True) for p in town.heads
            }
            for person, for_head in recipients.values():
                assert person.id is not None
                found.append(
                    Reminder(
                        duty=DUTY,
                        target=f"town:{town.town.id}:person:{person.id}",
                        period=plan.period,
                        step="digest",
                        person_id=person.id,
                        text=reports_texts.report_digest(
                            town=town.town.name,
                            period=plan.period,
                            deadline=cn_date(plan.deadline),
                            submitted=submitted,
                            missing=missing,
                            for_head=for_head,
                        ),
                        due_at=plan.digest_at,
                        reply_markup=digest_markup(
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
            text = reports_texts.report_escalation(
                town=town.town.name,
                period=plan.period,
                heads=_names(town.heads),
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


# --- Status (CLI `gridbot duties status --period`, /duties) ---------------------------------


@dataclass(frozen=True)
class GridMonthly:
    grid_id: int
    grid_name: str
    heads: tuple[str, ...]
    report_id: int | None = None
    submitted_by: str | None = None
    submitted_at: datetime | None = None
    late: bool = False

    @property
    def submitted(self) -> bool:
        return self.report_id is not None


@dataclass(frozen=True)
class TownMonthly:
    town_id: int
    town_name: str
    grids: tuple[GridMonthly, ...]
    heard_by: str | None = None
    heard_at: datetime | None = None

    @property
    def missing(self) -> tuple[GridMonthly, ...]:
        return tuple(grid for grid in self.grids if not grid.submitted)

    @property
    def submitted(self) -> tuple[GridMonthly, ...]:
        return tuple(grid for grid in self.grids if grid.submitted)


@dataclass(frozen=True)
class MonthlyStatus:
    period: str
    towns: tuple[TownMonthly, ...]


async def monthly_status(
    *, session: AsyncSession, period: str, town_ids: Collection[int] | None
) -> MonthlyStatus:
    """Per town (by name) and level-3 grid: who submitted when (late or not), who heard the
    reports when, which grids are missing. `town_ids` None: the whole city."""
    parse_period(period)
    roster = await load_roster(session=session, town_ids=town_ids)
    reports = await queries.reports_for_period(
        session=session, period=period, grid_ids=[g.id for g in roster.grids if g.id]
    )
    hearings = await queries.hearings_for_period(
        session=session, period=period, town_ids=[t.town.id for t in roster.towns if t.town.id]
    )
    towns = []
    for town in roster.towns:
        assert town.town.id is not None
        rows = []
        for grid in town.grids:
            assert grid.id is not None
            heads = tuple(p.name for p in roster.grid_heads.get(grid.id, []))
            if grid.id in reports:
                report, author = reports[grid.id]
                rows.append(
                    GridMonthly(
                        grid_id=grid.id,
                        grid_name=grid.name,
                        heads=heads,
                        report_id=report.id,
                        submitted_by=author.name,
                        submitted_at=report.submitted_at,
                        late=report.late,
                    )
                )
            else:
                rows.append(GridMonthly(grid_id=grid.id, grid_name=grid.name, heads=heads))
        hearing = hearings.get(town.town.id)
        towns.append(
            TownMonthly(
                town_id=town.town.id,
                town_name=town.town.name,
                grids=tuple(rows),
                heard_by=hearing[1].name if hearing else None,
                heard_at=hearing[0].confirmed_at if hearing else None,
            )
        )
    return MonthlyStatus(period=period, towns=tuple(towns))


# --- /todo ----------------------------------------------------------------------------------


async def todo_items(
    *, session: AsyncSession, viewer: Viewer, now: datetime, config: DutiesConfig, tz: tzinfo
) -> list[TodoItem]:
    """For a level-3 网格长: the current period's report not yet submitted (until its
    deadline). For a 二级网格长: digests received whose hearing is not confirmed yet."""
    duty = MonthlyReportDuty(config.monthly_report, send_time=config.engine.send_time, tz=tz)
    if not config.monthly_report.enabled:
        return []
    items: list[TodoItem] = []
    period = period_of(now, tz)
    head_grids = [
        post
        for post in viewer.posts
        if post.role == Role.GRID_HEAD and post.level == GridLevel.GRID
    ]
    if head_grids:
        plan = duty.schedule(period)
        if now < plan.deadline_end:
            reports = await queries.reports_for_period(
                session=session, period=period, grid_ids=[p.grid_id for p in head_grids]
            )
            items += [
                TodoItem(
                    section=reports_texts.REPORT_TODO_SECTION,
                    text=reports_texts.report_todo_submit(
                        grid=post.grid_name, period=period, deadline=cn_date(plan.deadline)
                    ),
                    when=plan.deadline_end,
                )
                for post in head_grids
                if post.grid_id not in reports
            ]
    towns = {post.grid_id: post.grid_name for post in viewer.posts if post.role == Role.TOWN_HEAD}
    for earlier in (shift_period(period, -1), period):
        plan = duty.schedule(earlier)
        if not towns or now < plan.digest_at:
            continue
        heard = await queries.hearings_for_period(session=session, period=earlier, town_ids=towns)
        items += [
            TodoItem(
                section=reports_texts.REPORT_TODO_SECTION,
                text=reports_texts.report_todo_hearing(town=name, period=earlier),
                when=plan.escalate_at,
            )
            for town_id, name in sorted(towns.items(), key=lambda t: t[1])
            if town_id not in heard
        ]
    return items


@functools.cache
def _settings() -> Settings:
    # todo_items gets no settings: the time zone and duties file are read once, like the bot
    # reads them at start.
    return Settings()


def settings_tz() -> tzinfo:
    """The bot's time zone, for callers that get no settings."""
    return _settings().tz
