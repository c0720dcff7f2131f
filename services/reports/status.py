"""Who did their grid duties, rendered (Telegram HTML) within a viewer's scope: the month's
reports and the quarter's activities per town and grid (/duties, `gridbot duties status`)."""

from dataclasses import replace
from datetime import date, datetime, tzinfo

from sqlmodel.ext.asyncio.session import AsyncSession

from core.formatting import cn_date, esc
from services.access import Viewer
from services.duties.status import Scope, scope_of
from services.reports import texts
from services.reports.monthly_status import monthly_status
from services.reports.periods import period_of, quarter_of
from services.reports.quarterly_activity import quarterly_status


def _since(day: date | None) -> str:
    return "" if day is None else f"{day.year}年{cn_date(day)}"


def _when(moment: datetime | None, tz: tzinfo) -> str:
    return "" if moment is None else texts.stamp(moment, tz)


async def monthly_text(*, session: AsyncSession, period: str, scope: Scope, tz: tzinfo) -> str:
    """The month's reports per town and grid: who submitted when, who heard them, who is
    missing."""
    status = await monthly_status(session=session, period=period, town_ids=scope.town_ids)
    lines = [texts.DUTIES_MONTHLY_TITLE.format(period=period)]
    for town in status.towns:
        rows = [g for g in town.grids if scope.covers(town.town_id, g.grid_id)]
        if not rows:
            continue
        town = replace(town, grids=tuple(rows))
        judged = town.judged_grids
        if not judged:
            since = town.not_judged_before or rows[0].not_judged_before
            lines.append(
                texts.DUTIES_TOWN_NOT_COVERED.format(town=esc(town.town_name), since=_since(since))
            )
            continue
        lines.append(
            texts.DUTIES_MONTHLY_TOWN.format(
                town=esc(town.town_name), done=len(town.submitted), total=len(judged)
            )
        )
        # A town's hearing of a month it was not there for is not owed.
        if town.heard_by is not None:
            lines.append(
                texts.DUTIES_HEARD.format(who=esc(town.heard_by), when=_when(town.heard_at, tz))
            )
        elif town.not_judged_before is None:
            lines.append(texts.DUTIES_NOT_HEARD)
        for grid in rows:
            if not grid.judged:
                lines.append(
                    texts.DUTIES_NOT_COVERED.format(
                        grid=esc(grid.grid_name), since=_since(grid.not_judged_before)
                    )
                )
            elif grid.submitted:
                lines.append(
                    texts.DUTIES_SUBMITTED.format(
                        grid=esc(grid.grid_name),
                        who=esc(grid.submitted_by or ""),
                        when=_when(grid.submitted_at, tz),
                        late=texts.DUTIES_LATE if grid.late else "",
                    )
                )
            else:
                heads = "、".join(esc(h) for h in grid.heads) or texts.DUTIES_NO_HEAD
                lines.append(texts.DUTIES_MISSING.format(grid=esc(grid.grid_name), heads=heads))
    if len(lines) == 1:
        lines.append(texts.DUTIES_NONE_IN_SCOPE)
    return "\n".join(lines)


async def quarterly_text(*, session: AsyncSession, quarter: str, scope: Scope, tz: tzinfo) -> str:
    """The quarter's activities per town and grid: which grids held one, which did not."""
    status = await quarterly_status(
        session=session, quarter=quarter, town_ids=scope.town_ids, tz=tz
    )
    lines = [texts.DUTIES_QUARTERLY_TITLE.format(quarter=quarter)]
    for town in status.towns:
        rows = [g for g in town.grids if scope.covers(town.town_id, g.grid_id)]
        if not rows:
            continue
        judged = [g for g in rows if g.judged]
        if not judged:
            lines.append(
                texts.DUTIES_TOWN_NOT_COVERED.format(
                    town=esc(town.town_name), since=_since(rows[0].not_judged_before)
                )
            )
            continue
        lines.append(
            texts.DUTIES_QUARTERLY_TOWN.format(
                town=esc(town.town_name),
                done=sum(1 for g in judged if g.activities),
                total=len(judged),
            )
        )
        for grid in rows:
            if not grid.judged:
                lines.append(
                    texts.DUTIES_NOT_COVERED.format(
                        grid=esc(grid.grid_name), since=_since(grid.not_judged_before)
                    )
                )
                continue
            template = texts.DUTIES_ACTIVITIES if grid.activities else texts.DUTIES_NO_ACTIVITY
            lines.append(template.format(grid=esc(grid.grid_name), count=grid.activities))
    if len(lines) == 1:
        lines.append(texts.DUTIES_NONE_IN_SCOPE)
    return "\n".join(lines)


async def overview(*, session: AsyncSession, viewer: Viewer, now: datetime, tz: tzinfo) -> str:
    """/duties: this month's reports and this quarter's activities in the viewer's scope."""
    scope = await scope_of(session=session, viewer=viewer)
    period = period_of(now, tz)
    quarter = quarter_of(now, tz)
    return "\n\n".join(
        [
            await monthly_text(session=session, period=period, scope=scope, tz=tz),
            await quarterly_text(session=session, quarter=quarter, scope=scope, tz=tz),
        ]
    )
