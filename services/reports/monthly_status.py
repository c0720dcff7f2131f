"""Who did the monthly report: per town and level-3 grid, who submitted when (late or not), who
heard the reports when, which grids are missing (`gridbot duties status --period`, /duties)."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from models import reports as queries
from services.reports.periods import parse_period
from services.reports.roster import load_roster


@dataclass(frozen=True)
class GridMonthly:
    grid_id: int
    grid_name: str
    heads: tuple[str, ...]
    report_id: int | None = None
    submitted_by: str | None = None
    submitted_at: datetime | None = None
    late: bool = False
    # Set when the month is not judged for the grid (services/coverage.py): the day it is
    # judged from.
    not_judged_before: date | None = None

    @property
    def submitted(self) -> bool:
        return self.report_id is not None

    @property
    def judged(self) -> bool:
        return self.not_judged_before is None


@dataclass(frozen=True)
class TownMonthly:
    town_id: int
    town_name: str
    grids: tuple[GridMonthly, ...]
    heard_by: str | None = None
    heard_at: datetime | None = None
    # As GridMonthly's: set when the town's hearing is not judged for the month.
    not_judged_before: date | None = None

    @property
    def judged_grids(self) -> tuple[GridMonthly, ...]:
        return tuple(grid for grid in self.grids if grid.judged)

    @property
    def missing(self) -> tuple[GridMonthly, ...]:
        return tuple(grid for grid in self.judged_grids if not grid.submitted)

    @property
    def submitted(self) -> tuple[GridMonthly, ...]:
        return tuple(grid for grid in self.judged_grids if grid.submitted)


@dataclass(frozen=True)
class MonthlyStatus:
    period: str
    towns: tuple[TownMonthly, ...]


async def monthly_status(
    *, session: AsyncSession, period: str, town_ids: Collection[int] | None
) -> MonthlyStatus:
    """Per town (by name) and level-3 grid: who submitted when (late or not), who heard the
    reports when, which grids are missing. `town_ids` None: the whole city."""
    year, month = parse_period(period)
    first_day = date(year, month, 1)
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
            if not roster.coverage.grid_covers(grid.id, first_day):
                since = roster.coverage.grid_from(grid.id)
                rows.append(
                    GridMonthly(
                        grid_id=grid.id, grid_name=grid.name, heads=heads, not_judged_before=since
                    )
                )
            elif grid.id in reports:
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
                not_judged_before=(
                    None
                    if roster.coverage.town_covers(town.town.id, first_day)
                    else roster.coverage.town_from(town.town.id)
                ),
            )
        )
    return MonthlyStatus(period=period, towns=tuple(towns))
