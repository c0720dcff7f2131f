"""Who sees which towns' duty status, and what the engine would do: the `Scope` of a viewer's
roles (/duties, exports, scorecards) or of the whole city (`gridbot duties status`), and a
reminder run previewed without writing (`gridbot duties preview`).

The monthly reports' and quarterly activities' status is rendered by services/reports/status.py
within a Scope.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from models import grids, people
from models.outbox import unreachable_people
from services.access import Viewer
from services.duties import engine
from services.duties.base import Duty, Reminder


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
