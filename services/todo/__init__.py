"""The shape of a /todo line, and how the lines of several features are merged. Each feature's
service offers `async def todo_items(*, session, viewer, now) -> list[TodoItem]`; the /todo
handler says which features take part, so this module imports none of them."""

from collections.abc import Awaitable, Callable, Sequence
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


TodoSource = Callable[..., Awaitable[list[TodoItem]]]
"""A feature's `todo_items(*, session, viewer, now)`."""


async def collect(
    *,
    session: "AsyncSession",
    viewer: "Viewer",
    now: datetime,
    sources: Sequence[TodoSource],
) -> list[TodoItem]:
    """Every source's open items for `viewer`, grouped by section in the order the sources
    first produce them, and sorted by time inside each section."""
    items = [
        item for source in sources for item in await source(session=session, viewer=viewer, now=now)
    ]
    order = {section: rank for rank, section in enumerate(dict.fromkeys(i.section for i in items))}
    far = datetime.max.replace(tzinfo=now.tzinfo)
    return sorted(items, key=lambda item: (order[item.section], item.when or far))
