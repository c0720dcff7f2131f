"""Who may manage an activity and who belongs to it."""

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from models.db import transaction
from models.enums import Role
from models.tables import Assignment, Person
from services.activities.attendance import managed_activity
from services.activities.members import invitees
from services.onboarding import viewers_for
from tests.conftest import SmallCity
from tests.services.activities.support import ongoing, publish, viewer_of


async def test_staff_of_the_grid_may_manage_but_not_others(
    sessions: async_sessionmaker[AsyncSession], small_city: SmallCity
) -> None:
    activity = await publish(sessions, small_city, **ongoing())
    assert activity.id is not None
    async with sessions() as session:
        for key, allowed in (("instructor", True), ("member", False), ("town_head", False)):
            viewer = await viewer_of(session, small_city, key)
            found = await managed_activity(session=session, viewer=viewer, activity_id=activity.id)
            assert (found is not None) == allowed, key
        viewer = await viewer_of(session, small_city, "grid_head")
        assert await managed_activity(session=session, viewer=viewer, activity_id=999) is None


async def test_deputy_head_of_grid_is_invited_and_may_manage(
    sessions: async_sessionmaker[AsyncSession], small_city: SmallCity
) -> None:
    async with transaction(sessions) as session:
        deputy = Person(name="赵副网格长", mobile="13900000009")
        session.add(deputy)
        await session.flush()
        assert deputy.id is not None
        session.add(
            Assignment(
                person_id=deputy.id,
                grid_id=small_city.grids["虹桥镇网格"].id or 0,
                role=Role.GRID_DEPUTY,
            )
        )
    activity = await publish(sessions, small_city, **ongoing())
    assert activity.id is not None
    async with sessions() as session:
        members = await invitees(
            session=session, activity=activity, grid_ids=[small_city.grids["虹桥镇网格"].id or 0]
        )
        assert sorted(p.name for p in members) == ["李指导员", "赵副网格长", "陈统计"]
        viewer = (await viewers_for(session=session, persons=[deputy]))[deputy.id]
        assert await managed_activity(session=session, viewer=viewer, activity_id=activity.id)
