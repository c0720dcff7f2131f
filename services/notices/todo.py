"""What /todo lists from notices: the ones sent to the viewer that they have not confirmed."""

from datetime import datetime, tzinfo

from sqlmodel.ext.asyncio.session import AsyncSession

from models import notices as queries
from services.access import Viewer
from services.notices import texts
from services.todo import TodoItem


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
                sent_at=texts.stamp(notice.created_at, tz),
            ),
            when=notice.created_at,
        )
        for notice, sender in rows
    ]
