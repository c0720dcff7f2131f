"""The monthly reports ledger: each grid's report for each month (or its absence), with the
town's hearing."""

from datetime import tzinfo

from sqlmodel.ext.asyncio.session import AsyncSession

from models import exports as queries
from services.duties.status import Scope
from services.oversight import texts
from services.oversight.ledgers.sheets import Rows, Sheet, local
from services.oversight.periods import Period
from services.xlsx import CellValue


async def report_sheets(
    *, session: AsyncSession, period: Period, scope: Scope, tz: tzinfo
) -> tuple[list[Sheet], int]:
    months = period.months
    places = sorted(
        (
            p
            for p in (await queries.grid_places(session=session)).values()
            if scope.covers(p.town_id, p.grid_id)
        ),
        key=lambda p: (p.town_name, p.grid_name),
    )
    reports = await queries.reports_of_periods(session=session, periods=months)
    hearings = await queries.hearings_of_periods(session=session, periods=months)
    rows: Rows = []
    for month in months:
        for place in places:
            hearing = hearings.get((place.town_id, month))
            heard: list[CellValue] = (
                [hearing[1], local(hearing[0].confirmed_at, tz)] if hearing else [None, None]
            )
            found = reports.get((place.grid_id, month))
            if found is None:
                missing: list[CellValue] = [
                    month,
                    place.town_name,
                    place.grid_name,
                    texts.EXPORT_NOT_SUBMITTED,
                ]
                rows.append([*missing, *([None] * 6), *heard])
                continue
            report, author = found
            rows.append(
                [
                    month,
                    place.town_name,
                    place.grid_name,
                    texts.EXPORT_LATE if report.late else texts.EXPORT_ON_TIME,
                    author,
                    local(report.submitted_at, tz),
                    report.activities,
                    report.problems,
                    report.help_needed,
                    report.plan,
                    *heard,
                ]
            )
    return [(texts.EXPORT_SHEET_REPORTS, texts.EXPORT_REPORT_HEADERS, rows)], len(rows)
