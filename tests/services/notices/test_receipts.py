"""[已阅] receipts: personal and idempotent."""

from datetime import timedelta

from models.db import transaction
from services.notices.receipts import Receipt, ReceiptOutcome, confirm_receipt
from tests.conftest import SmallCity
from tests.services.notices.bound_city import (
    NOW,
    Sessions,
    grid_draft,
    send,
)


async def test_receipts_are_personal_and_idempotent(sessions: Sessions, city: SmallCity) -> None:
    notice_id = await send(sessions, city, "instructor", grid_draft(city))
    member, other = city.person_id("member"), city.person_id("other_member")
    async with transaction(sessions) as session:
        first = await confirm_receipt(
            session=session, notice_id=notice_id, person_id=member, now=NOW
        )
        again = await confirm_receipt(
            session=session, notice_id=notice_id, person_id=member, now=NOW + timedelta(hours=1)
        )
        stranger = await confirm_receipt(
            session=session, notice_id=notice_id, person_id=other, now=NOW
        )
    assert first == Receipt(ReceiptOutcome.CONFIRMED, NOW)
    assert again == Receipt(ReceiptOutcome.ALREADY, NOW)
    assert stranger.outcome == ReceiptOutcome.NOT_RECIPIENT
