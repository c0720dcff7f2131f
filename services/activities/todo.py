"""/todo: the activities a member is yet to attend, and those the organiser holds today."""

from datetime import datetime, time, timedelta, tzinfo

from sqlmodel.ext.asyncio.session import AsyncSession

from models import activities as queries
from services.access import Viewer
from services.activities import texts
from services.activities.checkin import is_open
from services.activities.members import person_grid_ids
from services.todo import TodoItem

# /todo lists activities starting within this horizon.
TODO_HORIZON = timedelta(days=7)


async def todo_items(
    *, session: AsyncSession, viewer: Viewer, now: datetime, tz: tzinfo
) -> list[TodoItem]:
    """Activities starting within 7 days or under way that the viewer has not checked in to
    (nor has leave for), and the activities they organise today."""
    section = texts.TODO_ACTIVITY_SECTION
    items: list[TodoItem] = []
    mine = await person_grid_ids(session=session, person_id=viewer.person_id)
    invited = [
        a
        for a in await queries.activities_for_grids(
            session=session, grid_ids=mine, starts_before=now + TODO_HORIZON, ends_after=now
        )
        if a.organiser_id != viewer.person_id
    ]
    done = await queries.attended_activity_ids(
        session=session,
        person_id=viewer.person_id,
        activity_ids=[a.id for a in invited if a.id is not None],
    )
    for activity in invited:
        if activity.id in done:
            continue
        items.append(
            TodoItem(
                section=section,
                text=texts.activity_todo(activity, open_now=is_open(activity, now), tz=tz),
                when=activity.starts_at,
            )
        )
    today = now.astimezone(tz).date()
    day_start = datetime.combine(today, time(0), tzinfo=tz)
    organised = await queries.activities_managed(
        session=session,
        organiser_id=viewer.person_id,
        grid_ids=(),
        starts_before=day_start + timedelta(days=1),
        ends_after=day_start,
    )
    for activity in organised:
        if activity.organiser_id != viewer.person_id:
            continue
        if activity.starts_at.astimezone(tz).date() != today:
            continue
        items.append(
            TodoItem(
                section=section,
                text=texts.activity_todo_organiser(activity, tz=tz),
                when=activity.starts_at,
            )
        )
    return items
