"""The reminder engine: asks every duty for its due reminders, claims each one by its unique key
and queues the claimed ones in the outbox, in the same transaction. No `telegram` import.

The database is the source of truth; the clock (bot/clock.py) only says when to look. A
reminder is claimed (`reminder_claim`, unique duty/target/period/step) with INSERT .. ON
CONFLICT DO NOTHING before it is queued, so recomputing is harmless: a restart, a catch-up after
downtime and a second process on the same PostgreSQL all find the claim and send nothing. A
reminder whose deadline passed before anyone claimed it is claimed as skipped (过期未发), and so
is one whose recipient has no Telegram account or blocked the bot.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from operator import attrgetter
from typing import Literal, Protocol, runtime_checkable

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from models import duties as queries
from models import people
from models.db import transaction
from models.enums import ReminderStatus
from models.outbox import unreachable_people
from services import outbox
from services.duties.base import Duty, Reminder

log = logging.getLogger(__name__)

REMINDER_KIND = "reminder"
# Notes on skipped claims (shown by `gridbot duties status` and kept for the record).
NOTE_EXPIRED = "过期未发"
NOTE_UNBOUND = "未绑定 Telegram"
NOTE_UNREACHABLE = "已屏蔽机器人"
# Reminders claimed per transaction: small enough that one bad reminder costs little (the batch
# is then redone one by one), large enough that a city-wide duty does not take 100,000 commits.
BATCH_SIZE = 100
# A run that claims at least this many reminders refreshes the claims' planner statistics.
ANALYZE_AFTER_CLAIMS = 10_000


@runtime_checkable
class RecordsQueued(Protocol):
    """A duty that keeps its own record of reminders sent (e.g. a notice copy's reminder count)
    implements this; the engine calls it in the transaction that queued them."""

    async def record_queued(
        self, *, session: AsyncSession, reminders: Sequence[Reminder], now: datetime
    ) -> None: ...


@runtime_checkable
class ExcludesClaimed(Protocol):
    """A duty whose `reminders` already leaves out every claimed reminder (in its own query,
    where a city-wide duty does it far cheaper than a lookup of all its claims) says so with
    `excludes_claimed = True`; the engine then skips that lookup. Claiming stays the guarantee:
    a reminder claimed between the duty's read and the engine's claim is still not sent."""

    excludes_claimed: Literal[True]


@dataclass
class EngineReport:
    """What one run did."""

    queued: list[Reminder] = field(default_factory=list)
    # Claimed as skipped, with the note recorded on the claim.
    skipped: list[tuple[Reminder, str]] = field(default_factory=list)
    # Found claimed already (sent or skipped earlier, or by another process just now).
    already: int = 0
    # Duties whose reminders could not be computed, and reminders that could not be queued.
    failed: list[str] = field(default_factory=list)

    def merge(self, other: "EngineReport") -> None:
        self.queued += other.queued
        self.skipped += other.skipped
        self.already += other.already
        self.failed += other.failed


def dedupe_key(reminder: Reminder) -> str:
    return "reminder:" + ":".join(reminder.key)


def is_due(reminder: Reminder, at: datetime) -> bool:
    return reminder.due_at <= at


def is_expired(reminder: Reminder, at: datetime) -> bool:
    """At or after its deadline a reminder is no longer worth sending."""
    return reminder.deadline is not None and at >= reminder.deadline


async def pending(*, session: AsyncSession, duty: Duty, at: datetime) -> list[Reminder]:
    """The duty's reminders due at `at` that nobody has claimed yet, earliest first (a read).
    Built for city-wide duties: one pass, no per-reminder sorting key beyond the due time."""
    due = [r for r in await duty.reminders(session=session, at=at) if r.due_at <= at]
    if not due:
        return []
    if isinstance(duty, ExcludesClaimed):
        claimed: set[queries.ClaimKey] = set()
    else:
        claimed = await queries.claimed_keys(
            session=session, duty=duty.name, periods={r.period for r in due}
        )
    # A duty may list a reminder twice (e.g. two grids lead to one person): keep the first.
    unclaimed: dict[tuple[str, str, str, str], Reminder] = {}
    for reminder in due:
        key = reminder.key
        if key not in claimed and key not in unclaimed:
            unclaimed[key] = reminder
    # Stable: within one due time the duty's own order (by person, by grid) is kept.
    return sorted(unclaimed.values(), key=attrgetter("due_at"))


async def preview(*, session: AsyncSession, duties: Sequence[Duty], at: datetime) -> list[Reminder]:
    """What a run at `at` would claim (queued or skipped); nothing is written."""
    found: list[Reminder] = []
    for duty in duties:
        found += await pending(session=session, duty=duty, at=at)
    return sorted(found, key=attrgetter("due_at"))


async def settle(
    *,
    session: AsyncSession,
    reminders: Sequence[Reminder],
    now: datetime,
    duty: Duty | None = None,
) -> EngineReport:
    """Claim each reminder in the caller's transaction and queue those claimed as QUEUED; the
    caller commits (then wakes the outbox worker). Already-claimed reminders are counted, never
    queued again."""
    report = EngineReport()
    if not reminders:
        return report
    recipients = list({r.person_id for r in reminders})
    chats = await people.live_telegram_ids(session=session, person_ids=recipients)
    blocked = await unreachable_people(session=session, person_ids=recipients)
    # A duty may list one reminder twice: the first one counts.
    unique = list({r.key: r for r in reversed(reminders)}.values())[::-1]
    report.already += len(reminders) - len(unique)
    notes = {r.key: skip_note(r, now=now, chats=chats, blocked=blocked) for r in unique}
    # One statement claims the whole batch; only what this call claimed is queued.
    won = await queries.claim_many(
        session=session,
        claims=[
            queries.NewClaim(
                key=r.key,
                status=ReminderStatus.QUEUED if notes[r.key] is None else ReminderStatus.SKIPPED,
                note=notes[r.key],
            )
            for r in unique
        ],
        now=now,
    )
    outgoing: list[outbox.Outgoing] = []
    for reminder in unique:
        note = notes[reminder.key]
        if reminder.key not in won:
            report.already += 1
        elif note is not None:
            report.skipped.append((reminder, note))
        else:
            outgoing.append(
                outbox.Outgoing(
                    chat_id=chats[reminder.person_id],
                    person_id=reminder.person_id,
                    text=reminder.text,
                    kind=REMINDER_KIND,
                    buttons=reminder.buttons,
                    dedupe_key=dedupe_key(reminder),
                    ref=reminder.ref,
                )
            )
            report.queued.append(reminder)
    await outbox.enqueue_many(session=session, messages=outgoing)
    if report.queued and isinstance(duty, RecordsQueued):
        await duty.record_queued(session=session, reminders=report.queued, now=now)
    return report


def skip_note(
    reminder: Reminder, *, now: datetime, chats: dict[int, int], blocked: set[int]
) -> str | None:
    """Why the reminder would be claimed as skipped at `now`; None: it would be sent."""
    if is_expired(reminder, now):
        return NOTE_EXPIRED
    if reminder.person_id not in chats:
        return NOTE_UNBOUND
    if reminder.person_id in blocked:
        return NOTE_UNREACHABLE
    return None


async def run_due(
    *,
    sessions: async_sessionmaker[AsyncSession],
    duties: Sequence[Duty],
    now: datetime,
    batch_size: int = BATCH_SIZE,
) -> EngineReport:
    """Claim and queue every duty's reminders due at `now`, a batch per transaction. A duty that
    fails is logged and the others still run; the caller wakes the outbox worker afterwards."""
    report = EngineReport()
    for duty in duties:
        try:
            async with sessions() as session:
                due = await pending(session=session, duty=duty, at=now)
        except Exception:
            # One broken duty (a bad data file, a bug) must not silence all the others.
            log.exception("duty %s: computing reminders failed", duty.name)
            report.failed.append(duty.name)
            continue
        for start in range(0, len(due), batch_size):
            report.merge(await _settle_batch(sessions, duty, due[start : start + batch_size], now))
    if len(report.queued) + len(report.skipped) >= ANALYZE_AFTER_CLAIMS:
        try:
            async with transaction(sessions) as session:
                await queries.analyze_claims(session=session)
        except Exception:
            log.exception("duties: refreshing the claims' statistics failed")
    if report.queued or report.skipped:
        log.info(
            "duties: %d reminders queued, %d skipped, %d already claimed",
            len(report.queued),
            len(report.skipped),
            report.already,
        )
    return report


async def _settle_batch(
    sessions: async_sessionmaker[AsyncSession],
    duty: Duty,
    batch: Sequence[Reminder],
    now: datetime,
) -> EngineReport:
    try:
        async with transaction(sessions) as session:
            return await settle(session=session, reminders=batch, now=now, duty=duty)
    except Exception:
        if len(batch) == 1:
            # The transaction rolled back: the reminder stays unclaimed and is tried next tick.
            log.exception("duty %s: reminder %s could not be queued", duty.name, batch[0].key)
            return EngineReport(failed=[":".join(batch[0].key)])
    # Redo one by one, so that a single bad reminder holds back only itself.
    report = EngineReport()
    for reminder in batch:
        report.merge(await _settle_batch(sessions, duty, [reminder], now))
    return report
