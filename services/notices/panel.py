"""The sender's view of their notices: delivery and read counts from the recipients and their
outbox rows, the status panel of one notice, and the list of recent ones."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from enum import StrEnum

from sqlmodel.ext.asyncio.session import AsyncSession

from core.buttons import Keyboard
from models import notices as queries
from models.enums import OutboxStatus, Role
from models.outbox import UNREACHABLE_REASON
from models.tables import Notice
from services.access import Viewer
from services.notices import texts
from services.notices.buttons import list_keyboard
from services.notices.sending import NOTICE_KIND, notice_ref

RECENT_NOTICES = 10


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


async def render_panel(*, session: AsyncSession, notice: Notice, now: datetime, tz: tzinfo) -> str:
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
        sent_at=texts.stamp(notice.created_at, tz),
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


def render_list(recent: Sequence[NoticeStatus], *, tz: tzinfo) -> tuple[str, Keyboard]:
    """/notices: a line per notice and a button opening its panel."""
    lines = [texts.NOTICE_LIST_HEADING, ""]
    buttons: list[tuple[int, str]] = []
    for status in recent:
        notice = status.notice
        assert notice.id is not None
        lines.append(
            texts.notice_list_line(
                notice_id=notice.id,
                excerpt=texts.notice_excerpt(notice.text),
                sent_at=texts.stamp(notice.created_at, tz),
                read=status.read,
                total=status.total,
            )
        )
        label = texts.notice_list_button(notice_id=notice.id, read=status.read, total=status.total)
        buttons.append((notice.id, label))
    return "\n".join(lines), list_keyboard(buttons)
