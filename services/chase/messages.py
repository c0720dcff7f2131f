"""The chase message of one statistician: every open item of theirs in one message, with
[已报送] / [已修改] / [需要帮助] per item, queued through the outbox."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo
from typing import Protocol

from sqlmodel.ext.asyncio.session import AsyncSession

from core.formatting import esc
from models.chase import RosterObject
from models.tables.chase import ChaseState, PlatformStatus
from services import outbox
from services.chase import texts
from services.chase.buttons import chase_keyboard, mark
from services.chase.cells import shown_deadline
from services.workdays import is_workday, next_workday

CHASE_KIND = "chase"
# Buttons (three per item) and the message stay readable; the rest is counted.
MAX_ITEMS_PER_MESSAGE = 20


def chase_ref(period: str) -> str:
    return f"chase:{period}"


def period_label(period: str) -> str:
    year, month = period.split("-")
    return f"{year}年{int(month)}月"


def chase_day(now: datetime, tz: tzinfo) -> date:
    """The working day a chase queued now goes out on (today, or the next working day)."""
    today = now.astimezone(tz).date()
    return today if is_workday(today) else next_workday(today)


def not_before(now: datetime, day: date, send_time: time, tz: tzinfo) -> datetime:
    """Now on a working day (quiet hours are the outbox's), else the day's send time."""
    if day == now.astimezone(tz).date():
        return now
    return datetime.combine(day, send_time, tzinfo=tz)


class ChasedItem(Protocol):
    """What a chase message shows of an item (a stored ChaseItem or a bulk-written view)."""

    @property
    def id(self) -> int | None: ...
    @property
    def survey_object_id(self) -> int: ...
    @property
    def form(self) -> str: ...
    @property
    def platform_status(self) -> PlatformStatus: ...
    @property
    def problem(self) -> str: ...
    @property
    def deadline(self) -> datetime | None: ...
    @property
    def state(self) -> ChaseState: ...
    @property
    def declared(self) -> str | None: ...


def item_line(index: int, item: ChasedItem, name: str, tz: tzinfo) -> str:
    problem = texts.CHASE_ITEM_PROBLEM.format(problem=esc(item.problem)) if item.problem else ""
    line = texts.CHASE_ITEM.format(
        mark=mark(index),
        name=esc(name),
        form=esc(item.form),
        status=item.platform_status.value,
        problem=problem,
        deadline=shown_deadline(item.deadline, tz),
    )
    if item.state is ChaseState.DECLARED and item.declared:
        line += texts.CHASE_ITEM_RECHECK.format(declared=item.declared)
    return line


def chase_text(
    period: str, items: Sequence[ChasedItem], objects: dict[int, RosterObject], tz: tzinfo
) -> str:
    shown = items[:MAX_ITEMS_PER_MESSAGE]
    lines = [
        texts.CHASE_HEADING.format(period=period_label(period)),
        texts.CHASE_INTRO,
        "",
        *(
            item_line(i, item, objects[item.survey_object_id].name, tz)
            for i, item in enumerate(shown)
        ),
    ]
    if len(items) > len(shown):
        lines.append(texts.CHASE_MORE.format(count=len(items) - len(shown)))
    lines += ["", texts.CHASE_OUTRO]
    return "\n".join(lines)


@dataclass(frozen=True)
class ChaseCopy:
    person_id: int
    chat_id: int
    items: tuple[ChasedItem, ...]


async def queue_chases(
    *,
    session: AsyncSession,
    period: str,
    copies: Sequence[ChaseCopy],
    objects: dict[int, RosterObject],
    key: str,
    when: datetime,
    tz: tzinfo,
) -> int:
    """One combined message per statistician, in the caller's transaction; returns how many."""
    messages = [
        outbox.Outgoing(
            chat_id=copy.chat_id,
            person_id=copy.person_id,
            text=chase_text(period, copy.items, objects, tz),
            kind=CHASE_KIND,
            dedupe_key=f"chase:{key}:{copy.person_id}",
            ref=chase_ref(period),
            buttons=chase_keyboard(
                [(i.id or 0, i.declared) for i in copy.items[:MAX_ITEMS_PER_MESSAGE]]
            ),
        )
        for copy in copies
    ]
    await outbox.enqueue_many(session=session, messages=messages, not_before=when)
    return len(messages)
