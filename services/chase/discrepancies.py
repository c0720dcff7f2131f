"""Items declared done that a later export still lists: told to their grid's 指导员 (besides
the importer, who sees them in the result), one message per instructor and import."""

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, tzinfo

from sqlmodel.ext.asyncio.session import AsyncSession

from core.formatting import esc
from models import grids as grid_queries
from models import people as people_queries
from models.chase import RosterObject
from models.enums import Role
from models.tables.chase import ChaseItem
from services import outbox
from services.chase import texts
from services.chase.messages import CHASE_KIND, chase_ref, period_label


async def tell_instructors(
    *,
    session: AsyncSession,
    period: str,
    import_id: int,
    items: Sequence[ChaseItem],
    objects: dict[int, RosterObject],
    importer_id: int | None,
    now: datetime,
    tz: tzinfo,
) -> int:
    """Queue the discrepancies of each grid to its instructors; returns how many messages."""
    by_grid: dict[int, list[ChaseItem]] = defaultdict(list)
    for item in items:
        grid_id = objects[item.survey_object_id].grid_id
        if grid_id is not None:
            by_grid[grid_id].append(item)
    if not by_grid:
        return 0
    staff = await grid_queries.grid_staff(session=session, grid_ids=by_grid.keys())
    lines: dict[int, list[str]] = defaultdict(list)
    for grid_id, found in by_grid.items():
        for role, person in staff[grid_id]:
            if role is not Role.INSTRUCTOR or person.id is None or person.id == importer_id:
                continue
            lines[person.id] += [
                texts.RESULT_DISCREPANCY_LINE.format(
                    name=esc(objects[i.survey_object_id].name),
                    form=esc(i.form),
                    declared=i.declared or "",
                    when=f"{i.declared_at.astimezone(tz):%m-%d %H:%M}" if i.declared_at else "",
                )
                for i in found
            ]
    accounts = await people_queries.live_telegram_ids(session=session, person_ids=list(lines))
    messages = [
        outbox.Outgoing(
            chat_id=accounts[person_id],
            person_id=person_id,
            text="\n".join([texts.DISCREPANCY_HEADING.format(period=period_label(period)), *shown]),
            kind=CHASE_KIND,
            dedupe_key=f"chase:discrepancy:{import_id}:{person_id}",
            ref=chase_ref(period),
        )
        for person_id, shown in lines.items()
        if person_id in accounts
    ]
    await outbox.enqueue_many(session=session, messages=messages, not_before=now)
    return len(messages)
