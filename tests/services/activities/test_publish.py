"""Publishing an activity and its invitations."""

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.tables import Activity, ActivityGrid, OutboxMessage
from services.activities.codes import link_token
from services.activities.publish import PublishError, PublishProblem
from tests.conftest import SmallCity
from tests.services.activities.support import NOW, bind_accounts, ongoing, publish


async def test_publish_stores_activity_and_invites_every_member_but_the_organiser(
    sessions: async_sessionmaker[AsyncSession], small_city: SmallCity
) -> None:
    await bind_accounts(sessions, small_city)
    activity = await publish(sessions, small_city, **ongoing())
    async with sessions() as session:
        stored = await session.get(Activity, activity.id)
        assert stored is not None
        assert (
            stored.link_token_hash
            == hashlib.sha256(link_token(stored.code_secret).encode()).hexdigest()
        )
        grids = (await session.exec(select(ActivityGrid))).all()
        assert [g.grid_id for g in grids] == [small_city.grids["虹桥镇网格"].id]
        messages = (
            await session.exec(select(OutboxMessage).order_by(col(OutboxMessage.person_id)))
        ).all()
    invited = {m.person_id for m in messages}
    assert invited == {small_city.person_id("member"), small_city.person_id("instructor")}
    assert all(m.ref == f"activity:{activity.id}" and m.kind == "activity" for m in messages)
    assert all("统计法学习" in m.text and "/checkin" in m.text for m in messages)
    assert len({m.dedupe_key for m in messages}) == 2


async def test_publish_refuses_grids_outside_the_organisers_and_past_windows(
    sessions: async_sessionmaker[AsyncSession], small_city: SmallCity
) -> None:
    with pytest.raises(PublishError) as raised:
        await publish(sessions, small_city, grid="柳市镇网格", **ongoing())
    assert raised.value.problem == PublishProblem.GRIDS
    with pytest.raises(PublishError) as raised:
        await publish(
            sessions, small_city, starts=NOW - timedelta(hours=2), ends=NOW - timedelta(hours=1)
        )
    assert raised.value.problem == PublishProblem.PAST
    with pytest.raises(PublishError):
        # A town head organises nothing.
        await publish(sessions, small_city, organiser="town_head", **ongoing())
    async with sessions() as session:
        assert (await session.exec(select(Activity))).all() == []
        assert (await session.exec(select(OutboxMessage))).all() == []
