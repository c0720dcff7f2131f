"""Continuing education (督促网格成员及时参加统计继续教育): the yearly target, who is below it,
and the monthly reminders from `remind_from_month` on.

Members are a level-3 grid's enterprise statisticians (网格员) and its staff (网格长, 副网格长,
网格指导员). On `remind_day` of each month from `remind_from_month` (moved to the previous
working day, which may fall in the month before), each member below the target hears their
hours, and each grid's 网格指导员 gets one list of the members below target in their grids.
"""

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo

from sqlmodel.ext.asyncio.session import AsyncSession

from core.formatting import esc
from models.enums import Role
from models.study import (
    GridMembership,
    grid_instructor_ids,
    grid_member_ids,
    grid_memberships,
    hours_by_person,
    is_grid_member,
)
from services.access import Viewer
from services.duties import texts
from services.duties.base import Reminder
from services.duties.config import DutiesConfig, EducationConfig
from services.todo import TodoItem
from services.workdays import workday_on_or_before

MEMBER_STEP = "member"
INSTRUCTOR_STEP = "instructor"


def _month_start(year: int, month: int) -> date:
    return date(year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


class EducationDuty:
    """Monthly reminders to members below the yearly target and lists to their instructors."""

    name = "education"
    # The queries leave out whoever was reminded this period already (engine.ExcludesClaimed).
    excludes_claimed = True

    def __init__(self, duties: DutiesConfig, *, tz: tzinfo) -> None:
        self._config = duties.education
        self._send_time: time = duties.engine.send_time
        self._tz = tz

    def due_day(self, year: int, month: int) -> date:
        return workday_on_or_before(date(year, month, self._config.remind_day))

    def months_due(self, at: datetime) -> list[tuple[int, int]]:
        """(year, month) of the reminders due by `at`: the previous, this and the next month
        (a reminder moved off a holiday can fall in the month before its own)."""
        today = at.astimezone(self._tz).date()
        found = []
        for offset in (-1, 0, 1):
            first = _month_start(today.year, today.month + offset)
            if first.month < self._config.remind_from_month:
                continue
            due_at = datetime.combine(
                self.due_day(first.year, first.month), self._send_time, tzinfo=self._tz
            )
            if due_at <= at:
                found.append((first.year, first.month))
        return found

    async def reminders(self, *, session: AsyncSession, at: datetime) -> Sequence[Reminder]:
        months = self.months_due(at)
        if not months:
            return []
        target = self._config.yearly_target_hours
        result: list[Reminder] = []
        hours_of_year: dict[int, dict[int, float]] = {}
        everyone: list[GridMembership] | None = None
        for year, month in months:
            period = f"{year}-{month:02d}"
            # Only those not reminded yet this period: once a period's reminders are claimed,
            # a sweep reads two empty result sets and builds nothing.
            members = await grid_member_ids(
                session=session, unclaimed_in=(self.name, period, MEMBER_STEP)
            )
            instructors = await grid_instructor_ids(
                session=session, unclaimed_in=(self.name, period, INSTRUCTOR_STEP)
            )
            if not members and not instructors:
                continue
            if year not in hours_of_year:
                hours_of_year[year] = await hours_by_person(session=session, year=year)
            hours = hours_of_year[year]
            due_at = datetime.combine(self.due_day(year, month), self._send_time, tzinfo=self._tz)
            # A month's reminder is worth sending until the next month begins.
            next_month = _month_start(year, month + 1)
            deadline = datetime.combine(next_month, time(), tzinfo=self._tz)
            # The member's text depends only on their hours: built once per distinct value.
            member_texts: dict[float, str] = {}
            for person_id in sorted(members):
                had = hours.get(person_id, 0.0)
                if had >= target:
                    continue
                text = member_texts.get(had)
                if text is None:
                    text = member_texts[had] = texts.education_member_reminder(
                        year=year, hours=had, target=target
                    )
                result.append(
                    Reminder(
                        self.name,
                        f"person:{person_id}",
                        period,
                        MEMBER_STEP,
                        person_id,
                        text,
                        due_at,
                        deadline,
                    )
                )
            if not instructors:
                continue
            # An instructor's list names everyone below target in their grids, reminded or not.
            everyone = everyone or await grid_memberships(session=session)
            below = {m.person_id for m in everyone if hours.get(m.person_id, 0.0) < target}
            for instructor_id, grids in _instructor_lists(everyone, below).items():
                if instructor_id not in instructors:
                    continue
                lines = [texts.education_instructor_heading(year=year, target=target)]
                for grid_name, listed in grids:
                    lines += ["", f"<b>{esc(grid_name)}</b>"]
                    lines += [
                        texts.education_member_line(
                            name=m.person_name, hours=hours.get(m.person_id, 0.0), target=target
                        )
                        for m in listed
                    ]
                result.append(
                    Reminder(
                        self.name,
                        f"person:{instructor_id}",
                        period,
                        INSTRUCTOR_STEP,
                        instructor_id,
                        "\n".join(lines),
                        due_at,
                        deadline,
                    )
                )
        return result


def _instructor_lists(
    members: Sequence[GridMembership], below: Collection[int]
) -> dict[int, list[tuple[str, list[GridMembership]]]]:
    """Instructor -> (grid name, that grid's members below target other than the instructor)
    for each of their grids with anyone below target."""
    by_grid: dict[int, list[GridMembership]] = defaultdict(list)
    for member in members:
        by_grid[member.grid_id].append(member)
    lists: dict[int, list[tuple[str, list[GridMembership]]]] = defaultdict(list)
    for grid_members in by_grid.values():
        instructors = [m.person_id for m in grid_members if m.role == Role.INSTRUCTOR]
        for instructor_id in instructors:
            listed = [
                m for m in grid_members if m.person_id in below and m.person_id != instructor_id
            ]
            if listed:
                lists[instructor_id].append((grid_members[0].grid_name, listed))
    return lists


# --- Status for `gridbot duties status` and /duties -----------------------------------------


@dataclass(frozen=True)
class MemberHours:
    person_id: int
    name: str
    hours: float


@dataclass(frozen=True)
class GridEducation:
    grid_id: int
    grid_name: str
    # How many members (statisticians and staff) the grid has.
    members: int
    below: tuple[MemberHours, ...]


@dataclass(frozen=True)
class TownEducation:
    town_id: int
    town_name: str
    grids: tuple[GridEducation, ...]


@dataclass(frozen=True)
class EducationStatus:
    year: int
    target_hours: float
    towns: tuple[TownEducation, ...]


async def education_status(
    *,
    session: AsyncSession,
    year: int,
    town_ids: Collection[int] | None,
    target_hours: float,
) -> EducationStatus:
    """Per town and level-3 grid: how many members, and who is below the yearly target with
    their hours (town_ids None: the whole city)."""
    members = await grid_memberships(session=session, town_ids=town_ids)
    hours = await hours_by_person(session=session, year=year)
    towns: dict[int, tuple[str, dict[int, list[GridMembership]]]] = {}
    grid_names: dict[int, str] = {}
    for member in members:
        towns.setdefault(member.town_id, (member.town_name, defaultdict(list)))[1][
            member.grid_id
        ].append(member)
        grid_names[member.grid_id] = member.grid_name
    result = []
    for town_id, (town_name, grids) in sorted(towns.items(), key=lambda t: t[1][0]):
        rows = []
        for grid_id, grid_members in sorted(grids.items(), key=lambda g: grid_names[g[0]]):
            below = tuple(
                MemberHours(m.person_id, m.person_name, hours.get(m.person_id, 0.0))
                for m in grid_members
                if hours.get(m.person_id, 0.0) < target_hours
            )
            rows.append(GridEducation(grid_id, grid_names[grid_id], len(grid_members), below))
        result.append(TownEducation(town_id, town_name, tuple(rows)))
    return EducationStatus(year=year, target_hours=target_hours, towns=tuple(result))


# --- /todo ----------------------------------------------------------------------------------


async def todo_items(
    *, session: AsyncSession, viewer: Viewer, now: datetime, config: EducationConfig, tz: tzinfo
) -> list[TodoItem]:
    """From `remind_from_month` (Q4) on, a member below the yearly target sees their hours."""
    today = now.astimezone(tz).date()
    if not config.enabled or today.month < config.remind_from_month:
        return []
    if not await is_grid_member(session=session, person_id=viewer.person_id):
        return []
    totals = await hours_by_person(session=session, year=today.year, person_ids=[viewer.person_id])
    hours = totals.get(viewer.person_id, 0.0)
    if hours >= config.yearly_target_hours:
        return []
    return [
        TodoItem(
            section=texts.EDU_TODO_SECTION,
            text=texts.education_todo_line(hours=hours, target=config.yearly_target_hours),
        )
    ]
