"""The sender's delivery and read counts."""

from sqlmodel import select

from models.db import transaction
from models.enums import OutboxStatus
from models.tables import (
    OutboxMessage,
)
from services.notices.drafts import Audience, Draft, ScopeKind
from services.notices.panel import recent_notices
from services.notices.receipts import confirm_receipt
from tests.conftest import SmallCity
from tests.services.notices.bound_city import (
    CHATS,
    NOW,
    Sessions,
    send,
)


async def test_counts_come_from_recipients_and_their_outbox_rows(
    sessions: Sessions, city: SmallCity
) -> None:
    # The admin writes to the whole city: 6 people, the two town heads unbound.
    draft = Draft(
        text="全市通知",
        scope_kind=ScopeKind.CITY,
        scope_id=0,
        audience=Audience.ALL,
    )
    notice_id = await send(sessions, city, "admin", draft)
    outcome = {
        CHATS["member"]: (OutboxStatus.SENT, None),
        CHATS["grid_head"]: (OutboxStatus.FAILED, "Forbidden: bot was blocked by the user"),
        CHATS["other_member"]: (OutboxStatus.FAILED, "Bad Request: chat not found"),
    }
    async with transaction(sessions) as session:
        for row in (await session.exec(select(OutboxMessage))).all():
            if row.chat_id in outcome:
                row.status, row.error = outcome[row.chat_id]
                session.add(row)
        await confirm_receipt(
            session=session, notice_id=notice_id, person_id=city.person_id("member"), now=NOW
        )
    async with sessions() as session:
        (status,) = await recent_notices(session=session, sender_id=city.person_id("admin"))
    assert status.counts() == {
        "total": 6,
        "read": 1,
        "sent": 1,
        "blocked": 1,
        "failed": 1,
        "pending": 1,
        "unbound": 2,
    }
    assert [name for name, _d in status.unread] == sorted(
        p.name for k, p in city.people.items() if k not in ("admin", "member")
    )
