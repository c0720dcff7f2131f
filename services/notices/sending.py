"""Sending a notice: its recipients stored and every copy queued in the outbox, in one
transaction, with [已阅] under each copy."""

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from models import notices as queries
from models.tables import Notice
from services.access import Viewer
from services.notices import texts
from services.notices.buttons import receipt_keyboard
from services.notices.drafts import (
    Draft,
    NoticeError,
    ScopeKind,
    checked_target,
    reach,
    target_label,
)
from services.outbox import Recipient, enqueue_broadcast

NOTICE_KIND = "notice"


def notice_ref(notice_id: int) -> str:
    """What the notice's outbox rows belong to, to count their delivery."""
    return f"notice:{notice_id}"


async def send_notice(
    *, session: AsyncSession, viewer: Viewer, sender_name: str, draft: Draft, now: datetime
) -> Notice:
    """Store the notice and its recipients and queue every copy, in the caller's transaction.

    The target is checked against the sender's scope again; raises NoticeError when it is not
    allowed or reaches nobody.
    """
    scope, audience = await checked_target(session=session, viewer=viewer, draft=draft)
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
            target_grid_id=None if scope.kind == ScopeKind.CITY else scope.grid_id,
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
            buttons=receipt_keyboard(notice.id),
            dedupe_key=notice_ref(notice.id),
            not_before=now,
            ref=notice_ref(notice.id),
            media_kind=draft.media_kind,
            media_file_id=draft.media_file_id,
        )
    return notice
