"""The /todo lines of unconfirmed notices."""

from models.db import transaction
from services.notices.drafts import Draft
from services.notices.receipts import confirm_receipt
from services.notices.todo import todo_items
from tests.conftest import SmallCity
from tests.services.notices.bound_city import (
    NOW,
    TZ,
    Sessions,
    grid_draft,
    send,
    viewer,
)


async def test_todo_lists_unconfirmed_notices_oldest_first(
    sessions: Sessions, city: SmallCity
) -> None:
    first = await send(sessions, city, "instructor", grid_draft(city))
    await send(
        sessions,
        city,
        "instructor",
        Draft(**{**grid_draft(city).__dict__, "text": "第二条"}),
    )
    async with transaction(sessions) as session:
        member = await viewer(session, city, "member")
        items = await todo_items(session=session, viewer=member, now=NOW, tz=TZ)
        assert [i.section for i in items] == ["待确认通知", "待确认通知"]
        assert "请于5日前报送月报" in items[0].text
        assert "第二条" in items[1].text
        await confirm_receipt(session=session, notice_id=first, person_id=member.person_id, now=NOW)
        (left,) = await todo_items(session=session, viewer=member, now=NOW, tz=TZ)
    assert "第二条" in left.text
