"""Recipients and outbox copies in one transaction; nothing for a forged target."""

import pytest
from sqlmodel import col, select

from models.db import transaction
from models.enums import Role
from models.tables import (
    Assignment,
    NoticeRecipient,
    OutboxMessage,
)
from services.notices.drafts import Audience, Draft, NoticeError, ScopeKind
from tests.conftest import SmallCity
from tests.services.notices.bound_city import (
    CHATS,
    Sessions,
    grid_draft,
    send,
)


async def test_sending_stores_the_notice_recipients_and_outbox_copies_in_one_go(
    sessions: Sessions, city: SmallCity
) -> None:
    async with transaction(sessions) as session:
        session.add(
            Assignment(
                person_id=city.person_id("town_head"),
                grid_id=city.grids["虹桥镇"].id or 0,
                role=Role.TOWN_DEPUTY,
            )
        )
    draft = Draft(
        text="附件请查收",
        media_kind="document",
        media_file_id="FILE1",
        scope_kind=ScopeKind.TOWN,
        scope_id=city.grids["虹桥镇"].id,
        audience=Audience.ALL,
    )
    notice_id = await send(sessions, city, "town_head", draft)
    async with sessions() as session:
        copies = (
            await session.exec(
                select(NoticeRecipient).where(NoticeRecipient.notice_id == notice_id)
            )
        ).all()
        rows = (await session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id)))).all()
    by_person = {c.person_id: c.chat_id for c in copies}
    assert by_person == {
        city.person_id("member"): CHATS["member"],
        city.person_id("grid_head"): CHATS["grid_head"],
        city.person_id("instructor"): CHATS["instructor"],
    }
    assert len(rows) == 3
    for row in rows:
        assert (row.kind, row.ref, row.media_kind, row.media_file_id) == (
            "notice",
            f"notice:{notice_id}",
            "document",
            "FILE1",
        )
        assert row.dedupe_key == f"notice:{notice_id}:{row.chat_id}"
        assert row.reply_markup == {
            "inline_keyboard": [[{"text": "已阅", "callback_data": f"nr:{notice_id}"}]]
        }
        assert "附件请查收" in row.text


async def test_a_forged_or_empty_target_sends_nothing(sessions: Sessions, city: SmallCity) -> None:
    forged = Draft(
        text="越权",
        scope_kind=ScopeKind.TOWN,
        scope_id=city.grids["柳市镇"].id,
        audience=Audience.ALL,
    )
    with pytest.raises(NoticeError):
        await send(sessions, city, "instructor", forged)
    with pytest.raises(NoticeError):
        await send(sessions, city, "instructor", grid_draft(city, Audience.INSTRUCTORS))
    async with sessions() as session:
        assert (await session.exec(select(OutboxMessage))).all() == []
        assert (await session.exec(select(NoticeRecipient))).all() == []
