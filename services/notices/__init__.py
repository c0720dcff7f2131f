"""Notices with read receipts: who a sender may address, sending in one transaction through the
outbox, [已阅] receipts, the sender's delivery counts, and reminders of unread notices.

Scope is decided here from the sender's posts, never from what a button said: a target is
re-checked against `target_scopes` at every step and again when the notice is sent.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from enum import StrEnum
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from core.settings import Settings
from models import grids, people
from models import notices as queries
from models.enums import GRID_STAFF_ROLES, TOWN_ROLES, GridLevel, OutboxStatus, Role
from models.outbox import UNREACHABLE_REASON
from models.tables import Notice
from services.access import Capability, Viewer
from services.duties import engine
from services.duties.base import Reminder
from services.notices import texts
from services.outbox import Recipient, enqueue_broadcast
from services.todo import TodoItem

NOTICE_KIND = "notice"
REMINDER_KIND = "notice_reminder"
REMIND_DUTY = "notice_unread"
AUTO_STEP = "auto"
# Callback data of the [已阅] button: `nr:<notice id>`.
RECEIPT_PREFIX = "nr:"
RECENT_NOTICES = 10
# Roles whose holders may address their own level-3 grid.
GRID_SENDER_ROLES = frozenset({Role.INSTRUCTOR, Role.GRID_HEAD})


class ScopeKind(StrEnum):
    GRID = "g"
    TOWN = "t"
    CITY = "c"


class Audience(StrEnum):
    """Who inside a scope: everybody, or the holders of one role."""

    ALL = "all"
    MEMBERS = "member"
    GRID_HEADS = "head"
    INSTRUCTORS = "instructor"


_AUDIENCE_ROLE = {Audience.GRID_HEADS: Role.GRID_HEAD, Audience.INSTRUCTORS: Role.INSTRUCTOR}


@dataclass(frozen=True)
class Scope:
    """A part of the city a sender may address."""

    kind: ScopeKind
    # The grid or town id; 0 for the city.
    grid_id: int
    label: str

    @property
    def key(self) -> str:
        return f"{self.kind.value}:{self.grid_id}"


@dataclass(frozen=True)
class Draft:
    """A notice being composed; nothing is stored until `send_notice`."""

    text: str
    media_kind: str | None = None
    media_file_id: str | None = None
    scope_kind: ScopeKind | None = None
    scope_id: int | None = None
    audience: Audience | None = None


class NoticeError(Exception):
    """The draft cannot be sent as it stands (scope not allowed, nobody to send to)."""


@dataclass(frozen=True)
class Reach:
    """Who a target reaches: person ids, and the live Telegram chat of those bound."""

    person_ids: tuple[int, ...]
    chats: dict[int, int]
    unreachable: frozenset[int]

    @property
    def unbound(self) -> int:
        return sum(1 for pid in self.person_ids if pid not in self.chats)


# --- Scope ---------------------------------------------------------------------------------


async def target_scopes(*, session: AsyncSession, viewer: Viewer) -> list[Scope]:
    """Every scope the viewer may send a notice to, own grids first."""
    if not viewer.can(Capability.SEND_NOTICES):
        return []
    scopes: list[Scope] = []
    for post in viewer.posts:
        if post.role in GRID_SENDER_ROLES and post.level == GridLevel.GRID:
            scope = Scope(
                ScopeKind.GRID, post.grid_id, texts.NOTICE_SCOPE_GRID.format(name=post.grid_name)
            )
            if scope not in scopes:
                scopes.append(scope)
    if Role.ADMIN in viewer.roles:
        towns = await grids.towns(session=session)
        scopes += [
            Scope(ScopeKind.TOWN, town.id, texts.NOTICE_SCOPE_TOWN.format(name=town.name))
            for town in towns
            if town.id is not None
        ]
        city = await grids.city_grid(session=session)
        scopes.append(
            Scope(ScopeKind.CITY, 0, texts.NOTICE_SCOPE_CITY.format(name=city.name if city else ""))
        )
    else:
        led = sorted(
            {
                (post.grid_name, post.grid_id)
                for post in viewer.posts
                if post.role == Role.TOWN_DEPUTY and post.level == GridLevel.TOWN
            }
        )
        scopes += [
            Scope(ScopeKind.TOWN, town_id, texts.NOTICE_SCOPE_TOWN.format(name=name))
            for name, town_id in led
        ]
    return scopes


async def allowed_scope(
    *, session: AsyncSession, viewer: Viewer, kind: ScopeKind, grid_id: int
) -> Scope | None:
    """The scope if the viewer may address it, else None (a forged or stale choice)."""
    for scope in await target_scopes(session=session, viewer=viewer):
        if scope.kind == kind and scope.grid_id == grid_id:
            return scope
    return None


def target_label(scope: Scope, audience: Audience) -> str:
    return f"{scope.label} · {texts.NOTICE_AUDIENCE_LABELS[audience.value]}"


async def reach(
    *, session: AsyncSession, viewer: Viewer, scope: Scope, audience: Audience
) -> Reach:
    """Who the notice would reach, the sender left out."""
    if scope.kind == ScopeKind.CITY:
        grid_ids: list[int] | None = None
        town_ids: list[int] | None = None
    elif scope.kind == ScopeKind.TOWN:
        level3 = await grids.level3_grids(session=session, town_ids=[scope.grid_id])
        grid_ids = [scope.grid_id, *(g.id for g in level3 if g.id is not None)]
        town_ids = [scope.grid_id]
    else:
        grid_ids, town_ids = [scope.grid_id], []
    found: set[int] = set()
    if audience in (Audience.ALL, Audience.MEMBERS):
        found |= await queries.statisticians(session=session, grid_ids=grid_ids, town_ids=town_ids)
    if audience == Audience.ALL:
        # Everybody working in the scope: grid staff, and town staff for a town or the city.
        roles = set(GRID_STAFF_ROLES)
        if scope.kind != ScopeKind.GRID:
            roles |= TOWN_ROLES
        found |= await queries.staff(session=session, grid_ids=grid_ids, roles=roles)
    elif audience != Audience.MEMBERS:
        found |= await queries.staff(
            session=session, grid_ids=grid_ids, roles=[_AUDIENCE_ROLE[audience]]
        )
    found.discard(viewer.person_id)
    person_ids = tuple(sorted(found))
    chats = await people.live_telegram_ids(session=session, person_ids=person_ids)
    unreachable = await queries.unreachable_ids(session=session, person_ids=list(chats))
    return Reach(person_ids=person_ids, chats=chats, unreachable=frozenset(unreachable))


async def _checked(
    *, session: AsyncSession, viewer: Viewer, draft: Draft
) -> tuple[Scope, Audience]:
    if draft.scope_kind is None or draft.scope_id is None or draft.audience is None:
        raise NoticeError("no target chosen")
    scope = await allowed_scope(
        session=session, viewer=viewer, kind=draft.scope_kind, grid_id=draft.scope_id
    )
    if scope is None:
        raise NoticeError("target outside the sender's scope")
    return scope, draft.audience


async def preview(*, session: AsyncSession, viewer: Viewer, draft: Draft) -> tuple[str, Reach]:
    """The preview text shown before [确认发送], and who it would reach."""
    scope, audience = await _checked(session=session, viewer=viewer, draft=draft)
    found = await reach(session=session, viewer=viewer, scope=scope, audience=audience)
    text = texts.notice_preview(
        body=draft.text,
        media=texts.NOTICE_MEDIA_LABELS.get(draft.media_kind or ""),
        target=target_label(scope, audience),
        total=len(found.person_ids),
        unbound=found.unbound,
        unreachable=len(found.unreachable),
    )
    return text, found


# --- Sending and receipts ------------------------------------------------------------------


def notice_ref(notice_id: int) -> str:
    return f"notice:{notice_id}"


def receipt_markup(notice_id: int) -> dict[str, Any]:
    """The [已阅] button as a Bot API inline keyboard."""
    return {
        "inline_keyboard": [
            [{"text": texts.NOTICE_READ, "callback_data": f"{RECEIPT_PREFIX}{notice_id}"}]
        ]
    }


async def send_notice(
    *, session: AsyncSession, viewer: Viewer, sender_name: str, draft: Draft, now: datetime
) -> Notice:
    """Store the notice and its recipients and queue every copy, in the caller's transaction.

    The target is checked against the sender's scope again; raises NoticeError when it is not
    allowed or reaches nobody.
    """
    scope, audience = await _checked(session=session, viewer=viewer, draft=draft)
    found = await reach(session=session, viewer=viewer, scope=scope, audience=audience)
    if not found.person_ids:
        raise NoticeError("nobody to send to")
    label = target_label(scope, audience)
    notice = await queries.add_notice(
        session=session,
        notice=Notice(
            sender_id=viewer.person_id,
            text=draft.text,
            media_kind=draft.media_kind,
            media_file_id=draft.media_file_id,
            target_label=label[:200],
            created_at=now,
        ),
        recipients=[(pid, found.chats.get(pid)) for pid in found.person_ids],
    )
    assert notice.id is not None
    recipients = [
        Recipient(chat_id=found.chats[pid], person_id=pid)
        for pid in found.person_ids
        if pid in found.chats
    ]
    if recipients:
        await enqueue_broadcast(
            session=session,
            recipients=recipients,
            text=texts.notice_message(sender=sender_name, body=draft.text, target=label),
            kind=NOTICE_KIND,
            reply_markup=receipt_markup(notice.id),
            dedupe_key=notice_ref(notice.id),
            not_before=now,
            ref=notice_ref(notice.id),
            media_kind=draft.media_kind,
            media_file_id=draft.media_file_id,
        )
    return notice


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


# --- The sender's panel --------------------------------------------------------------------


class Delivery(StrEnum):
    SENT = "sent"
    PENDING = "pending"
    FAILED = "failed"
    BLOCKED = "blocked"
    UNBOUND = "unbound"


@dataclass(frozen=True)
class NoticeStatus:
    notice: Notice
    total: int
    read: int
    by_delivery: dict[Delivery, int]
    # Names of those who have not confirmed, with what stands in the way of reaching them.
    unread: list[tuple[str, Delivery]]

    def counts(self) -> dict[str, int]:
        return {
            "total": self.total,
            "read": self.read,
            **{delivery.value: self.by_delivery[delivery] for delivery in Delivery},
        }


def _delivery(chat_id: int | None, rows: Sequence[tuple[OutboxStatus, str | None]]) -> Delivery:
    if chat_id is None:
        return Delivery.UNBOUND
    statuses = {status for status, _error in rows}
    if OutboxStatus.SKIPPED in statuses or any(
        status == OutboxStatus.FAILED
        and error is not None
        and (error == UNREACHABLE_REASON or error.startswith("Forbidden"))
        for status, error in rows
    ):
        return Delivery.BLOCKED
    if OutboxStatus.FAILED in statuses:
        return Delivery.FAILED
    if not rows or statuses & {OutboxStatus.PENDING, OutboxStatus.SENDING}:
        return Delivery.PENDING
    return Delivery.SENT


async def notice_statuses(
    *, session: AsyncSession, notices: Sequence[Notice]
) -> dict[int, NoticeStatus]:
    """Delivery and read counts of each notice, from its recipients and its outbox rows."""
    ids = [n.id for n in notices if n.id is not None]
    copies = await queries.recipients_of(session=session, notice_ids=ids)
    rows = await queries.delivery_rows_for(
        session=session, refs=[notice_ref(i) for i in ids], kind=NOTICE_KIND
    )
    statuses: dict[int, NoticeStatus] = {}
    for notice in notices:
        assert notice.id is not None
        per_person: dict[int | None, list[tuple[OutboxStatus, str | None]]] = {}
        for person_id, status, error in rows[notice_ref(notice.id)]:
            per_person.setdefault(person_id, []).append((status, error))
        by_delivery = dict.fromkeys(Delivery, 0)
        unread: list[tuple[str, Delivery]] = []
        total = read = 0
        mine = sorted(
            ((c, p) for c, p in copies if c.notice_id == notice.id),
            key=lambda cp: (cp[1].name, cp[1].id or 0),
        )
        for copy, person in mine:
            total += 1
            delivery = _delivery(copy.chat_id, per_person.get(copy.person_id, []))
            by_delivery[delivery] += 1
            if copy.confirmed_at is not None:
                read += 1
            else:
                unread.append((person.name, delivery))
        statuses[notice.id] = NoticeStatus(notice, total, read, by_delivery, unread)
    return statuses


def may_follow(viewer: Viewer, notice: Notice) -> bool:
    """The sender, or an admin, may see a notice's receipts and remind its readers."""
    return notice.sender_id == viewer.person_id or Role.ADMIN in viewer.roles


async def followed_notice(
    *, session: AsyncSession, viewer: Viewer, notice_id: int
) -> Notice | None:
    """The notice if it exists and the viewer may follow it."""
    notice = await queries.notice_by_id(session=session, notice_id=notice_id)
    if notice is None or not may_follow(viewer, notice):
        return None
    return notice


async def render_panel(*, session: AsyncSession, notice: Notice, now: datetime, tz: Any) -> str:
    assert notice.id is not None
    status = (await notice_statuses(session=session, notices=[notice]))[notice.id]
    marks = {
        Delivery.UNBOUND: texts.NOTICE_UNBOUND_MARK,
        Delivery.BLOCKED: texts.NOTICE_BLOCKED_MARK,
    }
    return texts.notice_panel(
        notice_id=notice.id,
        excerpt=texts.notice_excerpt(notice.text),
        target=notice.target_label,
        sent_at=notice.created_at.astimezone(tz).strftime("%m-%d %H:%M"),
        counts=status.counts(),
        unread=[f"{name}{marks.get(delivery, '')}" for name, delivery in status.unread],
        updated_at=now.astimezone(tz).strftime("%H:%M:%S"),
    )


async def recent_notices(
    *, session: AsyncSession, sender_id: int, limit: int = RECENT_NOTICES
) -> list[NoticeStatus]:
    """The sender's latest notices with their counts, newest first."""
    notices = await queries.notices_by_sender(session=session, sender_id=sender_id, limit=limit)
    statuses = await notice_statuses(session=session, notices=notices)
    return [statuses[n.id] for n in notices if n.id is not None]


# --- Reminders -----------------------------------------------------------------------------


async def _remind(
    *,
    session: AsyncSession,
    notice: Notice,
    person_ids: Sequence[int],
    key: str,
    now: datetime,
    tz: Any,
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
            sent_at=notice.created_at.astimezone(tz).strftime("%m-%d %H:%M"),
            body=notice.text,
        ),
        kind=REMINDER_KIND,
        reply_markup=receipt_markup(notice.id),
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
    shared: dict[int, tuple[str, dict[str, Any], str, datetime]] = {}
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
                    sent_at=sent_at.strftime("%m-%d %H:%M"),
                    body=notice.text,
                ),
                receipt_markup(notice_id),
                # The month it was sent: claims are looked up by period, so this keeps the
                # lookup to recent notices.
                f"{sent_at:%Y-%m}",
                notice.created_at + hours,
            )
        text, markup, period, due_at = shared[notice_id]
        found.append(
            Reminder(
                duty=REMIND_DUTY,
                target=queries.claim_target(notice_id, person_id),
                period=period,
                step=AUTO_STEP,
                person_id=person_id,
                text=text,
                due_at=due_at,
                reply_markup=markup,
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


# --- To-do ---------------------------------------------------------------------------------


async def todo_items(
    *, session: AsyncSession, viewer: Viewer, now: datetime, tz: tzinfo
) -> list[TodoItem]:
    """Notices sent to the viewer that they have not confirmed, oldest first."""
    del now  # an unread notice stays open however old it is
    rows = await queries.unconfirmed_for_person(session=session, person_id=viewer.person_id)
    return [
        TodoItem(
            section=texts.NOTICE_TODO_SECTION,
            text=texts.notice_todo_line(
                excerpt=texts.notice_excerpt(notice.text),
                sender=sender.name,
                sent_at=notice.created_at.astimezone(tz).strftime("%m-%d %H:%M"),
            ),
            when=notice.created_at,
        )
        for notice, sender in rows
    ]
