"""Writing a validated roster: towns, people, survey objects and staff assignments."""

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import CITY_ROLES, GRID_STAFF_ROLES, TOWN_ROLES, Role
from models.roster import (
    NewAssignment,
    SurveyObjectData,
    add_assignments,
    get_or_create_city_grid,
    get_or_create_people,
    get_or_create_town_grids,
    live_assignments,
    mark_absent_left,
    upsert_survey_objects,
)
from models.tables import Assignment, Grid
from services.roster_import.report import ImportReport
from services.roster_import.stored import Known
from services.roster_import.validate import Enterprise, Staff

_T = TypeVar("_T")


def must(value: _T | None) -> _T:
    # Only a roster without any error is applied, and then every required cell is filled.
    if value is None:
        raise AssertionError("a validated roster row lacks a required value")
    return value


def id_of(row: Grid) -> int:
    return must(row.id)


async def apply_assignments(
    *,
    session: AsyncSession,
    staff: Sequence[Staff],
    city: Grid,
    towns: Mapping[str, Grid],
    people: Mapping[str, int],
    known: Known,
) -> tuple[int, int]:
    """Create the staff assignments the roster names; returns (created, updated)."""
    person_ids = {people[must(p.mobile)] for p in staff}
    live = await live_assignments(session=session, person_ids=person_ids)
    town_ids = {id_of(town) for town in towns.values()}
    towns_of_grid: dict[int, set[int]] = defaultdict(set)
    for name, grids in known.grids_of_town.items():
        for grid in grids:
            towns_of_grid[id_of(grid)].add(id_of(towns[name]))
    # None stands for an assignment created by this import.
    held: dict[tuple[int, int, Role], Assignment | None] = {}
    # Level-3 roles by (person, town, role): still on the town grid, or already on a grid.
    awaiting: dict[tuple[int, int, Role], Assignment | None] = {}
    placed: set[tuple[int, int, Role]] = set()
    for assignment in live:
        held[(assignment.person_id, assignment.grid_id, assignment.role)] = assignment
        if assignment.role in GRID_STAFF_ROLES:
            if assignment.grid_id in town_ids:
                awaiting[(assignment.person_id, assignment.grid_id, assignment.role)] = assignment
            for town_id in towns_of_grid.get(assignment.grid_id, ()):
                placed.add((assignment.person_id, town_id, assignment.role))

    created: list[NewAssignment] = []
    updated = 0
    # Rows naming a grid go first so that an unnamed row for the same role sees them placed.
    for person in sorted(staff, key=lambda p: p.at not in known.named_grid):
        person_id = people[must(person.mobile)]
        role = must(person.role)
        if role in CITY_ROLES:
            grid = city
        elif role in TOWN_ROLES:
            grid = towns[must(person.town)]
        elif person.at in known.named_grid:
            grid = known.named_grid[person.at]
        else:
            town_id = id_of(towns[must(person.town)])
            key = (person_id, town_id, role)
            if key not in placed and key not in awaiting:
                awaiting[key] = None
                created.append(NewAssignment(person_id, town_id, role, explicit=False))
            continue

        grid_id = id_of(grid)
        key = (person_id, grid_id, role)
        if key in held:
            current = held[key]
            if current is not None and role in GRID_STAFF_ROLES and not current.explicit:
                # Named in the roster now: pin it so the partition leaves it there.
                current.explicit = True
                updated += 1
            continue
        if role in GRID_STAFF_ROLES:
            town_id = id_of(towns[must(person.town)])
            placed.add((person_id, town_id, role))
            waiting = awaiting.pop((person_id, town_id, role), None)
            if waiting is not None:
                waiting.grid_id = grid_id
                waiting.explicit = True
                held[key] = waiting
                updated += 1
                continue
        held[key] = None
        # City and town roles are placed by the roster itself, hence explicit as well.
        created.append(NewAssignment(person_id, grid_id, role, explicit=True))
    await add_assignments(session=session, rows=created)
    await session.flush()
    return len(created), updated


@dataclass(frozen=True)
class RosterDates:
    """The dates an import applies: new objects without 纳入日期 join on `default_joined_on`
    (`reason` says why that day, for the report); objects a re-import of their town no longer
    lists leave on `today`, unless the import is `partial` (a part of a town's objects)."""

    default_joined_on: date
    reason: str
    today: date
    partial: bool = False
    # The city's go-live date (启用日期) when it has none yet (its first import), and why that
    # day; a town first seen in a later import is judged from `today`.
    go_live: date | None = None
    go_live_reason: str = "首次导入当天"


async def apply_roster(
    *,
    session: AsyncSession,
    city_name: str,
    enterprises: Sequence[Enterprise],
    staff: Sequence[Staff],
    known: Known,
    dates: RosterDates,
) -> ImportReport:
    report = ImportReport()
    city, _ = await get_or_create_city_grid(session=session, name=city_name)
    live_before = city.started_on is not None
    if not live_before:
        city.started_on = dates.go_live or dates.today
        report.go_live, report.go_live_reason = city.started_on, dates.go_live_reason
        session.add(city)
    town_names = [must(e.town) for e in enterprises] + [p.town for p in staff if p.town]
    towns, report.towns_created = await get_or_create_town_grids(
        session=session,
        city=city,
        names=list(dict.fromkeys(town_names)),
        started_on=dates.today if live_before else None,
    )
    names_by_mobile: dict[str, str] = {}
    for ent in enterprises:
        names_by_mobile.setdefault(must(ent.mobile), must(ent.statistician))
    for person in staff:
        names_by_mobile.setdefault(must(person.mobile), must(person.name))
    people, report.people_created = await get_or_create_people(
        session=session, names_by_mobile=names_by_mobile
    )
    counts = await upsert_survey_objects(
        session=session,
        rows=[
            SurveyObjectData(
                uscc=must(ent.uscc),
                name=must(ent.name),
                industry=must(ent.industry),
                scale=must(ent.scale),
                town_id=id_of(towns[must(ent.town)]),
                statistician_id=people[must(ent.mobile)],
                joined_on=ent.joined_on,
                left_on=ent.left_on,
            )
            for ent in enterprises
        ],
        default_joined_on=dates.default_joined_on,
    )
    without_date = [e for e in enterprises if e.joined_on is None]
    if counts.created and without_date:
        report.default_joined_on = dates.default_joined_on
        report.default_joined_reason = dates.reason
    report.enterprises_leaving = sum(1 for e in enterprises if e.left_on is not None)
    if enterprises and not dates.partial:
        report.enterprises_removed = await mark_absent_left(
            session=session,
            town_ids={id_of(towns[must(e.town)]) for e in enterprises},
            present={must(e.uscc) for e in enterprises},
            on=dates.today,
        )
        report.removed_on = dates.today
    report.enterprises_created = counts.created
    report.enterprises_updated = counts.updated
    report.enterprises_unchanged = counts.unchanged
    report.assignments_created, report.assignments_updated = await apply_assignments(
        session=session, staff=staff, city=city, towns=towns, people=people, known=known
    )
    return report
