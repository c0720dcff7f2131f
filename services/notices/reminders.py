"""Reminders of unread notices: the sender's [提醒未读], at most once per interval, and the one
automatic reminder a day after sending (duty notice_unread, run by the reminder engine)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from sqlmodel.ext.asyncio.session import AsyncSession

from core.buttons import Keyboard
from core.settings import Settings
from models import notices as queries
from models import people
from models.tables import Notice
from services.duties import engine
from services.duties.base import Reminder
from services.notices import texts
from services.notices.buttons import receipt_keyboard
from services.notices.sending import notice_ref
from services.outbox import Recipient, enqueue_broadcast

REMINDER_KIND = "notice_reminder"
REMIND_DUTY = "notice_unread"
AUTO_STEP = "auto"


async def _remind(
    *,
    session: AsyncSession,
    notice: Notice,
    person_ids: Sequence[int],
    key: str,
    now: datetime,
    tz: tzinfo,
) -> int:
    """Queue a reminder with [已阅] to those of `person_ids` who are bound and reachable."""
    assert notice.id is not None
    chats = await people.live_telegram_ids(session=session, person_ids=person_ids)
    blocked = await queries.unreachable_ids(session=session, person_ids=list(chats))
    targets = [pid for pid in person_ids if pid in chats and pid not in blocked]
    if not targets:
        return 0
    sender = await people.person_by_id(session=session, person_id=notice.sender_id)
    await enqueue_broadcast(
        session=session,
        recipients=[Recipient(chat_id=chats[pid], person_id=pid) for pid in targets],
        text=texts.notice_reminder(
            sender=sender.name if sender else "",
            sent_at=texts.stamp(notice.created_at, tz),
            body=notice.text,
        ),
        kind=REMINDER_KIND,
        buttons=receipt_keyboard(notice.id),
        # Due at once: `now` is the sweep's notion of time, which tests choose freely.
        dedupe_key=key,
        ref=notice_ref(notice.id),
    )
    await queries.mark_reminded(session=session, notice_id=notice.id, person_ids=targets, now=now)
    return len(targets)


@dataclass(frozen=True)
class RemindResult:
    reminded: int
    # When the sender may remind again, if this press came too soon.
    next_at: datetime | None = None


async def remind_unread(
    *, session: AsyncSession, notice: Notice, now: datetime, settings: Settings
) -> RemindResult:
    """[提醒未读]: remind the unconfirmed, reachable recipients, at most once per
    `notice_manual_remind_minutes`. The caller has checked the viewer may follow the notice."""
    assert notice.id is not None
    interval = timedelta(minutes=settings.notice_manual_remind_minutes)
    if notice.reminded_at is not None and now < notice.reminded_at + interval:
        return RemindResult(0, notice.reminded_at + interval)
    unread = [
        copy.person_id
        for copy, _person in await queries.recipients_with_people(
            session=session, notice_id=notice.id
        )
        if copy.confirmed_at is None and copy.chat_id is not None
    ]
    chats = await people.live_telegram_ids(session=session, person_ids=unread)
    blocked = await queries.unreachable_ids(session=session, person_ids=list(chats))
    if not [pid for pid in unread if pid in chats and pid not in blocked]:
        return RemindResult(0)
    if not await queries.take_manual_remind(
        session=session, notice_id=notice.id, now=now, not_after=now - interval
    ):
        # Another press took the turn a moment ago.
        return RemindResult(0, now + interval)
    reminded = await _remind(
        session=session,
        notice=notice,
        person_ids=unread,
        key=f"{notice_ref(notice.id)}:manual:{int(now.timestamp())}",
        now=now,
        tz=settings.tz,
    )
    return RemindResult(reminded)


async def unread_reminders(
    *, session: AsyncSession, at: datetime, settings: Settings
) -> list[Reminder]:
    """The automatic reminders due by `at` (a read): every recipient who has not confirmed a
    notice `notice_auto_remind_hours` after it was sent, once (duty notice_unread, step auto).
    Copies already claimed are left out here already: the engine would skip them anyway."""
    hours = timedelta(hours=settings.notice_auto_remind_hours)
    due = await queries.unclaimed_unconfirmed(
        session=session, created_before=at - hours, duty=REMIND_DUTY, step=AUTO_STEP
    )
    # What every copy of one notice shares: its text, buttons, period and due time.
    shared: dict[int, tuple[str, Keyboard, str, datetime]] = {}
    found: list[Reminder] = []
    for notice_id, person_id in due:
        if notice_id not in shared:
            notice = await queries.notice_by_id(session=session, notice_id=notice_id)
            assert notice is not None
            sender = await people.person_by_id(session=session, person_id=notice.sender_id)
            sent_at = notice.created_at.astimezone(settings.tz)
            shared[notice_id] = (
                texts.notice_reminder(
                    sender=sender.name if sender else "",
                    sent_at=texts.stamp(sent_at, settings.tz),
                    body=notice.text,
                ),
                receipt_keyboard(notice_id),
                # The month it was sent: claims are looked up by period, so this keeps the
                # lookup to recent notices.
                f"{sent_at:%Y-%m}",
                notice.created_at + hours,
            )
        text, buttons, period, due_at = shared[notice_id]
        found.append(
            Reminder(
                duty=REMIND_DUTY,
                target=queries.claim_target(notice_id, person_id),
                period=period,
                step=AUTO_STEP,
                person_id=person_id,
                text=text,
                due_at=due_at,
                buttons=buttons,
                ref=notice_ref(notice_id),
            )
        )
    return found


async def record_auto_reminded(
    *, session: AsyncSession, reminders: Sequence[Reminder], now: datetime
) -> None:
    """Count the queued automatic reminders on each recipient's copy."""
    by_notice: dict[int, list[int]] = {}
    for reminder in reminders:
        notice_id = int(reminder.target.split(":")[1])
        by_notice.setdefault(notice_id, []).append(reminder.person_id)
    for notice_id, person_ids in by_notice.items():
        await queries.mark_reminded(
            session=session, notice_id=notice_id, person_ids=person_ids, now=now
        )


async def auto_remind_sweep(*, session: AsyncSession, now: datetime, settings: Settings) -> int:
    """Run the automatic reminders due at `now` through the reminder engine in the caller's
    transaction (the caller commits); those unbound or unreachable are claimed as skipped.
    Returns the number queued. The bot's clock runs all duties through `engine.run_due`."""
    found = await unread_reminders(session=session, at=now, settings=settings)
    report = await engine.settle(session=session, reminders=found, now=now)
    await record_auto_reminded(session=session, reminders=report.queued, now=now)
    return len(report.queued)
