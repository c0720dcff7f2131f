"""Query functions for activities: the activity and its grids, who belongs to it, attendance,
and the claim that makes the organiser's [提醒未签到] happen once."""

from collections.abc import Collection
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models import duties
from models.enums import GridLevel, ReminderStatus
from models.tables import (
    Activity,
    ActivityGrid,
    Assignment,
    Attendance,
    Grid,
    Person,
    ReminderClaim,
    SurveyObject,
    utcnow,
)


async def add_activity(
    *, session: AsyncSession, activity: Activity, grid_ids: Collection[int]
) -> Activity:
    """Insert the activity and its grids in the caller's transaction (no commit)."""
    session.add(activity)
    await session.flush()
    assert activity.id is not None
    for grid_id in sorted(set(grid_ids)):
        session.add(ActivityGrid(activity_id=activity.id, grid_id=grid_id))
    await session.flush()
    return activity


async def activity_by_id(*, session: AsyncSession, activity_id: int) -> Activity | None:
    return await session.get(Activity, activity_id)


async def activity_by_link_hash(*, session: AsyncSession, token_hash: str) -> Activity | None:
    result = await session.exec(select(Activity).where(Activity.link_token_hash == token_hash))
    return result.first()


async def grids_of(
    *, session: AsyncSession, activity_ids: Collection[int]
) -> dict[int, list[Grid]]:
    """The level-3 grids of each activity, by name (every requested id is a key)."""
    grids: dict[int, list[Grid]] = {activity_id: [] for activity_id in activity_ids}
    if not activity_ids:
        return grids
    result = await session.exec(
        select(ActivityGrid.activity_id, Grid)
        .join(Grid, col(Grid.id) == col(ActivityGrid.grid_id))
        .where(col(ActivityGrid.activity_id).in_(list(activity_ids)))
        .order_by(col(Grid.name))
    )
    for activity_id, grid in result.all():
        grids[activity_id].append(grid)
    return grids


async def level3_grids_by_ids(*, session: AsyncSession, grid_ids: Collection[int]) -> list[Grid]:
    """Level-3 grids among these ids, by name."""
    if not grid_ids:
        return []
    result = await session.exec(
        select(Grid)
        .where(col(Grid.id).in_(list(grid_ids)), Grid.level == GridLevel.GRID)
        .order_by(col(Grid.name))
    )
    return list(result.all())


async def grid_people(*, session: AsyncSession, grid_ids: Collection[int]) -> list[Person]:
    """Active people who belong to any of these grids: statisticians of their survey objects
    and their current staff. By name."""
    if not grid_ids:
        return []
    ids = list(grid_ids)
    statisticians = select(SurveyObject.statistician_id).where(
        col(SurveyObject.grid_id).in_(ids), col(SurveyObject.statistician_id).is_not(None)
    )
    staff = select(Assignment.person_id).where(
        col(Assignment.grid_id).in_(ids), col(Assignment.ended_at).is_(None)
    )
    result = await session.exec(
        select(Person)
        .where(
            sa.or_(col(Person.id).in_(statisticians), col(Person.id).in_(staff)),
            col(Person.active).is_(True),
        )
        .order_by(col(Person.name), col(Person.id))
    )
    return list(result.all())


async def activities_for_grids(
    *,
    session: AsyncSession,
    grid_ids: Collection[int],
    starts_before: datetime,
    ends_after: datetime,
    include_cancelled: bool = False,
) -> list[Activity]:
    """Activities for any of these grids whose window meets [ends_after, starts_before],
    by start."""
    if not grid_ids:
        return []
    for_grids = select(ActivityGrid.activity_id).where(
        col(ActivityGrid.grid_id).in_(list(grid_ids))
    )
    statement = select(Activity).where(
        col(Activity.id).in_(for_grids),
        col(Activity.starts_at) <= starts_before,
        col(Activity.ends_at) >= ends_after,
    )
    if not include_cancelled:
        statement = statement.where(col(Activity.cancelled_at).is_(None))
    result = await session.exec(statement.order_by(col(Activity.starts_at), col(Activity.id)))
    return list(result.all())


async def activities_between(
    *, session: AsyncSession, starts_before: datetime, ends_after: datetime
) -> list[Activity]:
    """Every activity (cancelled ones too) whose window meets [ends_after, starts_before]."""
    result = await session.exec(
        select(Activity)
        .where(col(Activity.starts_at) <= starts_before, col(Activity.ends_at) >= ends_after)
        .order_by(col(Activity.starts_at), col(Activity.id))
    )
    return list(result.all())


async def activities_managed(
    *,
    session: AsyncSession,
    organiser_id: int,
    grid_ids: Collection[int],
    starts_before: datetime,
    ends_after: datetime,
) -> list[Activity]:
    """Uncancelled activities organised by this person or held for any of these grids, whose
    window meets [ends_after, starts_before], by start."""
    mine = col(Activity.organiser_id) == organiser_id
    if grid_ids:
        for_grids = select(ActivityGrid.activity_id).where(
            col(ActivityGrid.grid_id).in_(list(grid_ids))
        )
        mine = sa.or_(mine, col(Activity.id).in_(for_grids))
    result = await session.exec(
        select(Activity)
        .where(
            mine,
            col(Activity.cancelled_at).is_(None),
            col(Activity.starts_at) <= starts_before,
            col(Activity.ends_at) >= ends_after,
        )
        .order_by(col(Activity.starts_at), col(Activity.id))
    )
    return list(result.all())


async def attendance(*, session: AsyncSession, activity_id: int) -> list[Attendance]:
    result = await session.exec(
        select(Attendance).where(Attendance.activity_id == activity_id).order_by(col(Attendance.id))
    )
    return list(result.all())


async def attendance_of(
    *, session: AsyncSession, activity_id: int, person_id: int, for_update: bool = False
) -> Attendance | None:
    statement = select(Attendance).where(
        Attendance.activity_id == activity_id, Attendance.person_id == person_id
    )
    if for_update:
        statement = statement.with_for_update()
    return (await session.exec(statement)).first()


async def attended_activity_ids(
    *, session: AsyncSession, person_id: int, activity_ids: Collection[int]
) -> set[int]:
    """Which of these activities the person has an attendance row for (check-in or leave)."""
    if not activity_ids:
        return set()
    result = await session.exec(
        select(Attendance.activity_id).where(
            Attendance.person_id == person_id,
            col(Attendance.activity_id).in_(list(activity_ids)),
        )
    )
    return set(result.all())


async def insert_attendance(*, session: AsyncSession, row: Attendance) -> bool:
    """Insert unless the person already has a row for the activity; True if inserted.

    ON CONFLICT DO NOTHING: two simultaneous check-ins of one person end with one row.
    """
    connection = await session.connection()
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(Attendance)
        .values(**row.model_dump(exclude={"id"}))
        .on_conflict_do_nothing(
            index_elements=[col(Attendance.activity_id), col(Attendance.person_id)]
        )
        .returning(col(Attendance.id))
    )
    result = await session.exec(statement)
    return result.first() is not None


async def claim_reminder(
    *, session: AsyncSession, duty: str, target: str, period: str, step: str, note: str | None
) -> bool:
    """Insert the ReminderClaim; False when it was already claimed (nothing is changed)."""
    return await duties.claim(
        session=session,
        key=(duty, target, period, step),
        status=ReminderStatus.QUEUED,
        note=note,
        now=utcnow(),
    )


async def reminder_claimed(*, session: AsyncSession, duty: str, target: str) -> bool:
    result = await session.exec(
        select(ReminderClaim.id).where(ReminderClaim.duty == duty, ReminderClaim.target == target)
    )
    return result.first() is not None
