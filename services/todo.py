"""The shape of a /todo line. Each feature's service offers
`async def todo_items(*, session, viewer, now) -> list[TodoItem]` for the user's open items."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class TodoItem:
    # The heading it is listed under: "待确认通知", "活动", "我的提问", "待我回复".
    section: str
    # HTML, user text already escaped: one line (a command or deep link to act on it is welcome).
    text: str
    # Orders items inside a section (deadline, start time, waiting since); None sorts last.
    when: datetime | None = None
