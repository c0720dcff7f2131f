"""The shape of a /todo line. Each feature's service offers
`async def todo_items(*, session, viewer, now) -> list[TodoItem]` for the user's open items."""

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlmodel.ext.asyncio.session import AsyncSession

    from services.access import Viewer


@dataclass(frozen=True)
class TodoItem:
    # The heading it is listed under: "待确认通知", "活动", "我的提问", "待我回复".
    section: str
    # HTML, user text already escaped: one line (a command or deep link to act on it is welcome).
    text: str
    # Orders items inside a section (deadline, start time, waiting since); None sorts last.
    when: datetime | None = None


async def collect(*, session: "AsyncSession", viewer: "Viewer", now: datetime) -> list[TodoItem]:
    """Every feature's open items for `viewer`, grouped by section in a fixed order and sorted
    by time inside each section."""
    # Imported here: the feature services import TodoItem from this module.
    from services import activities, notices, questions
    from services.duties import education, monthly_report

    items = [
        *await notices.todo_items(session=session, viewer=viewer, now=now),
        *await activities.todo_items(session=session, viewer=viewer, now=now),
        *await questions.todo_items(session=session, viewer=viewer, now=now),
        *await monthly_report.todo_items(session=session, viewer=viewer, now=now),
        *await education.todo_items(session=session, viewer=viewer, now=now),
    ]
    order = {section: rank for rank, section in enumerate(dict.fromkeys(i.section for i in items))}
    far = datetime.max.replace(tzinfo=now.tzinfo)
    return sorted(items, key=lambda item: (order[item.section], item.when or far))
