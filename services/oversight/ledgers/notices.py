"""The notice confirmation lists: each notice with its confirmation rate and median wait, and
each copy confirmed or not."""

from datetime import tzinfo
from statistics import median

from sqlmodel.ext.asyncio.session import AsyncSession

from models import exports as queries
from models.exports import ReceiptRow
from services.duties.status import Scope
from services.oversight import texts
from services.oversight.ledgers.sheets import Rows, Sheet, hours, local, rate
from services.oversight.periods import Period


def person_in_scope(places: set[tuple[int, int | None]], scope: Scope) -> bool:
    if scope.town_ids is None:
        return True
    return any(
        town_id in scope.whole_towns or (grid_id is not None and grid_id in scope.grid_ids)
        for town_id, grid_id in places
    )


async def notice_sheets(
    *, session: AsyncSession, period: Period, scope: Scope, tz: tzinfo
) -> tuple[list[Sheet], int]:
    start, end = period.bounds(tz)
    places = await queries.person_places(session=session) if scope.town_ids is not None else {}
    recipients: dict[int, list[ReceiptRow]] = {}
    for recipient in await queries.notice_recipients_created(session=session, start=start, end=end):
        if person_in_scope(places.get(recipient.person_id, set()), scope):
            recipients.setdefault(recipient.notice_id, []).append(recipient)
    notice_rows: Rows = []
    recipient_rows: Rows = []
    for notice, sender in await queries.notices_created(session=session, start=start, end=end):
        assert notice.id is not None
        rows = recipients.get(notice.id)
        if not rows:
            continue
        waits = [
            (r.confirmed_at - notice.created_at).total_seconds() / 3600
            for r in rows
            if r.confirmed_at is not None
        ]
        sent_at = local(notice.created_at, tz)
        notice_rows.append(
            [
                notice.id,
                sent_at,
                sender,
                notice.target_label,
                notice.text,
                len(rows),
                len(waits),
                rate(len(waits), len(rows)),
                round(median(waits), 1) if waits else None,
            ]
        )
        for recipient in rows:
            recipient_rows.append(
                [
                    notice.id,
                    sent_at,
                    recipient.name,
                    texts.EXPORT_CONFIRMED if recipient.confirmed_at else texts.EXPORT_UNCONFIRMED,
                    local(recipient.confirmed_at, tz),
                    hours(notice.created_at, recipient.confirmed_at),
                    recipient.reminders,
                ]
            )
    sheets: list[Sheet] = [
        (texts.EXPORT_SHEET_NOTICES, texts.EXPORT_NOTICE_HEADERS, notice_rows),
        (texts.EXPORT_SHEET_RECEIPTS, texts.EXPORT_RECEIPT_HEADERS, recipient_rows),
    ]
    return sheets, len(notice_rows)
