"""The statistician's presses: [已报送] / [已修改] of an item of theirs, [需要帮助] as a question
to their instructor with the item filled in. Each press checked against the item's keeper."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from enum import StrEnum

from sqlmodel.ext.asyncio.session import AsyncSession

from models import chase as queries
from models.chase import RosterObject
from models.tables.chase import ChaseItem
from services.access import Viewer
from services.chase import texts
from services.chase.buttons import DONE_LABELS, DoneKind
from services.chase.cells import shown_deadline
from services.chase.messages import period_label


class PressOutcome(StrEnum):
    RECORDED = "recorded"
    ALREADY = "already"
    NOT_YOURS = "not_yours"
    UNKNOWN = "unknown"


# What a statistician is told when a press on an item is refused (not theirs, or gone).
REFUSALS = {PressOutcome.NOT_YOURS: texts.NOT_YOURS, PressOutcome.UNKNOWN: texts.ITEM_UNKNOWN}


@dataclass(frozen=True)
class Pressed:
    outcome: PressOutcome
    item: ChaseItem | None = None
    name: str = ""


async def _own_item(
    session: AsyncSession, item_id: int, viewer: Viewer
) -> tuple[PressOutcome | None, ChaseItem | None, RosterObject | None]:
    found = await queries.items_by_ids(session=session, item_ids=[item_id])
    if not found:
        return PressOutcome.UNKNOWN, None, None
    item = found[0]
    obj = (await queries.objects_by_ids(session=session, object_ids=[item.survey_object_id])).get(
        item.survey_object_id
    )
    if obj is None or obj.statistician_id != viewer.person_id:
        return PressOutcome.NOT_YOURS, None, None
    return None, item, obj


async def declare_done(
    *, session: AsyncSession, item_id: int, kind: DoneKind, viewer: Viewer, now: datetime
) -> Pressed:
    refused, item, obj = await _own_item(session, item_id, viewer)
    if refused is not None or item is None or obj is None:
        return Pressed(refused or PressOutcome.UNKNOWN)
    label = DONE_LABELS[kind]
    if not await queries.declare(session=session, item_id=item_id, declared=label, now=now):
        return Pressed(PressOutcome.ALREADY, item, obj.name)
    await session.refresh(item)
    return Pressed(PressOutcome.RECORDED, item, obj.name)


async def message_items(
    *, session: AsyncSession, item_ids: Sequence[int]
) -> list[tuple[int, str | None]]:
    """(id, declared) of a chase message's items, to redraw its buttons."""
    return [
        (i.id or 0, i.declared)
        for i in await queries.items_by_ids(session=session, item_ids=item_ids)
    ]


async def help_question(
    *, session: AsyncSession, item_id: int, viewer: Viewer, tz: tzinfo
) -> tuple[PressOutcome | None, str]:
    """The question [需要帮助] files, built on the server from the item (never from the press)."""
    refused, item, obj = await _own_item(session, item_id, viewer)
    if refused is not None or item is None or obj is None:
        return refused or PressOutcome.UNKNOWN, ""
    problem = texts.HELP_PROBLEM.format(problem=item.problem) if item.problem else ""
    return None, texts.HELP_QUESTION.format(
        name=obj.name,
        period=period_label(item.period),
        form=item.form,
        status=item.platform_status.value,
        problem=problem,
        deadline=shown_deadline(item.deadline, tz),
    )
