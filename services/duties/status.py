"""Who did their duties, and what the engine would do: the monthly reports and quarterly
activities per town and grid, in a viewer's scope (/duties) or for the whole city (`gridbot
duties status`), and a reminder run previewed without writing (`gridbot duties preview`).

The status itself comes from the monthly-report and quarterly-activity duties
(`monthly_status`, `quarterly_status`); this module scopes and renders it (Telegram HTML).
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from sqlmodel.ext.asyncio.session import AsyncSession

from core.formatting import esc
from models import grids, people
from models.outbox import unreachable_people
from services.access import Viewer
from services.duties import engine, texts
from services.duties.base import Duty, Reminder

if TYPE_CHECKING:
    from services.duties.monthly_report import MonthlyStatus
    from services.duties.quarterly_activity import QuarterlyStatus


@dataclass(frozen=True)
class Scope:
    """Which towns and grids a viewer's status covers."""

    # None: the whole city.
    town_ids: frozenset[int] | None = None
    # Towns seen whole (their leaders); in the other towns only `grid_ids`.
    whole_towns: frozenset[int] = frozenset()
    grid_ids: frozenset[int] = frozenset()

    def covers(self, town_id: int, grid_id: int) -> bool:
        return self.town_ids is None or town_id in self.whole_towns or grid_id in self.grid_ids


CITY = Scope()


async def scope_of(*, session: AsyncSession, viewer: Viewer) -> Scope:
    """City roles see the city; town leaders their towns; grid staff their own grids."""
    if viewer.is_city_wide:
        return CITY
    parents: set[int] = set()
    for grid_id in viewer.staffed_grid_ids:
        grid = await grids.grid_by_id(session=session, grid_id=grid_id)
        if grid is not None and grid.parent_id is not None:
            parents.add(grid.parent_id)
    return Scope(
        town_ids=frozenset(viewer.town_ids | parents),
        whole_towns=viewer.town_ids,
        grid_ids=viewer.staffed_grid_ids,
    )


def _when(moment: datetime | None, tz: tzinfo) -> str:
    return "" if moment is None else moment.astimezone(tz).strftime("%m-%d %H:%M")


async def monthly_text(*, session: AsyncSession, period: str, scope: Scope, tz: tzinfo) -> str:
    """The month's reports per town and grid: who submitted when, who heard them, who is
    missing."""
    from services.duties.monthly_report import monthly_status

    status: MonthlyStatus = await monthly_status(
        session=session, period=period, town_ids=scope.town_ids
    )
    lines = [texts.DUTIES_MONTHLY_TITLE.format(period=period)]
    for town in status.towns:
        rows = [g for g in town.grids if scope.covers(town.town_id, g.grid_id)]
        if not rows:
            continue
        town = replace(town, grids=tuple(rows))
        lines.append(
            texts.DUTIES_MONTHLY_TOWN.format(
                town=esc(town.town_name), done=len(town.submitted), total=len(rows)
            )
        )
        if town.heard_by is not None:
            lines.append(
                texts.DUTIES_HEARD.format(who=esc(town.heard_by), when=_when(town.heard_at, tz))
            )
        else:
            lines.append(texts.DUTIES_NOT_HEARD)
        for grid in rows:
            if grid.submitted:
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
    from services.duties.quarterly_activity import quarterly_status

    status: QuarterlyStatus = await quarterly_status(
        session=session, quarter=quarter, town_ids=scope.town_ids, tz=tz
    )
    lines = [texts.DUTIES_QUARTERLY_TITLE.format(quarter=quarter)]
    for town in status.towns:
        rows = [g for g in town.grids if scope.covers(town.town_id, g.grid_id)]
        if not rows:
            continue
        lines.append(
            texts.DUTIES_QUARTERLY_TOWN.format(
                town=esc(town.town_name),
                done=sum(1 for g in rows if g.activities),
                total=len(rows),
            )
        )
        for grid in rows:
            template = texts.DUTIES_ACTIVITIES if grid.activities else texts.DUTIES_NO_ACTIVITY
            lines.append(template.format(grid=esc(grid.grid_name), count=grid.activities))
    if len(lines) == 1:
        lines.append(texts.DUTIES_NONE_IN_SCOPE)
    return "\n".join(lines)


async def overview(*, session: AsyncSession, viewer: Viewer, now: datetime, tz: tzinfo) -> str:
    """/duties: this month's reports and this quarter's activities in the viewer's scope."""
    local = now.astimezone(tz)
    scope = await scope_of(session=session, viewer=viewer)
    period = f"{local:%Y-%m}"
    quarter = f"{local.year}Q{(local.month - 1) // 3 + 1}"
    return "\n\n".join(
        [
            await monthly_text(session=session, period=period, scope=scope, tz=tz),
            await quarterly_text(session=session, quarter=quarter, scope=scope, tz=tz),
        ]
    )


# --- Preview ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PreviewLine:
    reminder: Reminder
    recipient: str
    # Why the engine would claim it as skipped instead of sending it; None: it would be sent.
    skip: str | None


async def preview_lines(
    *, session: AsyncSession, duties: Sequence[Duty], at: datetime
) -> list[PreviewLine]:
    """What a run at `at` would do, reminder by reminder, with the recipients' names."""
    due = await engine.preview(session=session, duties=duties, at=at)
    ids = list({r.person_id for r in due})
    names = {p.id: p.name for p in await people.people_by_ids(session=session, person_ids=ids)}
    chats = await people.live_telegram_ids(session=session, person_ids=ids)
    blocked = await unreachable_people(session=session, person_ids=ids)
    return [
        PreviewLine(
            reminder=r,
            recipient=names.get(r.person_id, f"#{r.person_id}"),
            skip=engine.skip_note(r, now=at, chats=chats, blocked=blocked),
        )
        for r in due
    ]
