"""[已阅]: a recipient confirms they read a notice, once, and only for themself."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlmodel.ext.asyncio.session import AsyncSession

from models import notices as queries


class ReceiptOutcome(StrEnum):
    CONFIRMED = "confirmed"
    ALREADY = "already"
    NOT_RECIPIENT = "not_recipient"


@dataclass(frozen=True)
class Receipt:
    outcome: ReceiptOutcome
    confirmed_at: datetime | None = None


async def confirm_receipt(
    *, session: AsyncSession, notice_id: int, person_id: int, now: datetime
) -> Receipt:
    """Record that this person read the notice; only a recipient can, and only for themself."""
    copy = await queries.recipient(session=session, notice_id=notice_id, person_id=person_id)
    if copy is None:
        return Receipt(ReceiptOutcome.NOT_RECIPIENT)
    if await queries.confirm(session=session, notice_id=notice_id, person_id=person_id, now=now):
        return Receipt(ReceiptOutcome.CONFIRMED, now)
    await session.refresh(copy)
    return Receipt(ReceiptOutcome.ALREADY, copy.confirmed_at)
