"""Who belongs to an activity, and how the outbox and reminder claims name one."""

from collections.abc import Sequence

from sqlmodel.ext.asyncio.session import AsyncSession

from models import activities as queries
from models import grids
from models.tables import Activity, Person

OUTBOX_KIND = "activity"


def activity_ref(activity_id: int) -> str:
    return f"activity:{activity_id}"


async def person_grid_ids(*, session: AsyncSession, person_id: int) -> set[int]:
    covering = await grids.grids_covering(session=session, person_id=person_id)
    return {g.id for g in covering if g.id is not None}


async def activity_grid_ids(*, session: AsyncSession, activity_id: int) -> set[int]:
    found = await queries.grids_of(session=session, activity_ids=[activity_id])
    return {g.id for g in found[activity_id] if g.id is not None}


async def invitees(
    *, session: AsyncSession, activity: Activity, grid_ids: Sequence[int]
) -> list[Person]:
    """Who belongs to the activity: the grids' statisticians and staff, except the organiser."""
    members = await queries.grid_people(session=session, grid_ids=grid_ids)
    return [p for p in members if p.id != activity.organiser_id]
