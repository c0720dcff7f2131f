"""/todo items of activities."""

from datetime import timedelta

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from services.activities.codes import current_code
from services.activities.todo import todo_items
from tests.conftest import SmallCity
from tests.services.activities.support import (
    NOW,
    PERIOD,
    TZ,
    code_check_in,
    ongoing,
    publish,
    viewer_of,
)


async def test_todo_items_for_member_and_organiser(
    sessions: async_sessionmaker[AsyncSession], small_city: SmallCity
) -> None:
    today = await publish(sessions, small_city, **ongoing())
    next_week = await publish(
        sessions, small_city, starts=NOW + timedelta(days=6), ends=NOW + timedelta(days=6, hours=1)
    )
    await publish(
        sessions, small_city, starts=NOW + timedelta(days=9), ends=NOW + timedelta(days=9, hours=1)
    )
    async with sessions() as session:
        member = await viewer_of(session, small_city, "member")
        items = await todo_items(session=session, viewer=member, now=NOW, tz=TZ)
        assert [item.when for item in items] == [today.starts_at, next_week.starts_at]
        assert all(item.section == "活动" for item in items)
        assert "正在签到" in items[0].text
        assert "待参加" in items[1].text
        head = await viewer_of(session, small_city, "grid_head")
        organised = await todo_items(session=session, viewer=head, now=NOW, tz=TZ)
        assert [item.when for item in organised] == [today.starts_at]
        assert "今天组织" in organised[0].text
        outsider = await viewer_of(session, small_city, "other_member")
        assert await todo_items(session=session, viewer=outsider, now=NOW, tz=TZ) == []
    code = current_code(today, now=NOW, period_s=PERIOD).code
    await code_check_in(sessions, small_city, "member", code)
    async with sessions() as session:
        member = await viewer_of(session, small_city, "member")
        items = await todo_items(session=session, viewer=member, now=NOW, tz=TZ)
    assert [item.when for item in items] == [next_week.starts_at]
