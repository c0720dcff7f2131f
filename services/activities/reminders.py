"""[提醒未签到]: after the end, one reminder to each member with neither check-in nor leave."""

from dataclasses import dataclass
from datetime import datetime, tzinfo
from enum import StrEnum

from sqlmodel.ext.asyncio.session import AsyncSession

from models import activities as queries
from models import people
from services import outbox
from services.access import Viewer
from services.activities import texts
from services.activities.attendance import managed_lines
from services.activities.members import OUTBOX_KIND, activity_ref

ABSENT_DUTY = "activity_absent"


async def reminded(*, session: AsyncSession, activity_id: int) -> bool:
    """Whether the absentees of this activity were already reminded."""
    return await queries.reminder_claimed(
        session=session, duty=ABSENT_DUTY, target=activity_ref(activity_id)
    )


class RemindOutcome(StrEnum):
    QUEUED = "queued"
    ALREADY = "already"
    NOT_ENDED = "not_ended"
    NOBODY = "nobody"
    FORBIDDEN = "forbidden"


@dataclass(frozen=True)
class RemindResult:
    outcome: RemindOutcome
    absent: int = 0
    queued: int = 0


async def remind_absentees(
    *, session: AsyncSession, viewer: Viewer, activity_id: int, now: datetime, tz: tzinfo
) -> RemindResult:
    """After the end, tell each member who neither checked in nor has leave recorded, once per
    activity: the ReminderClaim row is inserted in the same transaction as the messages."""
    found = await managed_lines(session=session, viewer=viewer, activity_id=activity_id)
    if found is None:
        return RemindResult(RemindOutcome.FORBIDDEN)
    activity, _grids, lines = found
    if now <= activity.ends_at or activity.cancelled_at is not None:
        return RemindResult(RemindOutcome.NOT_ENDED)
    absent = [line for line in lines if line.status is None]
    if not absent:
        return RemindResult(RemindOutcome.NOBODY)
    claimed = await queries.claim_reminder(
        session=session,
        duty=ABSENT_DUTY,
        target=activity_ref(activity_id),
        period="",
        step="manual",
        note=f"by person:{viewer.person_id}",
    )
    if not claimed:
        return RemindResult(RemindOutcome.ALREADY, absent=len(absent))
    accounts = await people.live_telegram_ids(
        session=session, person_ids=[line.person_id for line in absent]
    )
    text = texts.activity_absent_reminder(activity, organiser=viewer.name, tz=tz)
    queued = 0
    for line in absent:
        if line.person_id not in accounts:
            continue
        await outbox.enqueue_text(
            session=session,
            chat_id=accounts[line.person_id],
            person_id=line.person_id,
            text=text,
            kind=OUTBOX_KIND,
            dedupe_key=f"activity:{activity_id}:absent:{line.person_id}",
            ref=activity_ref(activity_id),
        )
        queued += 1
    return RemindResult(RemindOutcome.QUEUED, absent=len(absent), queued=queued)
