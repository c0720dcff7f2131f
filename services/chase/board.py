"""/chase: per grid in the viewer's scope, open / declared / resolved / discrepancies, oldest
first, [再提醒] per enterprise (once an hour, claimed), and whose statistician cannot be reached."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from enum import StrEnum

from sqlmodel.ext.asyncio.session import AsyncSession

from core.buttons import Button, Keyboard
from core.formatting import esc
from models import chase as queries
from models import grids as grid_queries
from models.duties import claim
from models.enums import ReminderStatus
from models.scorecards.chase import figures_of
from models.tables.chase import ChaseItem, ChaseState
from services.access import Viewer, mask_mobile
from services.chase import texts
from services.chase.buttons import ChaseLedger, ChaseRemind
from services.chase.cells import shown_deadline
from services.chase.messages import ChaseCopy, chase_day, period_label, queue_chases
from services.chase.scope import in_scope

REMIND_DUTY = "chase_remind"
REMIND_INTERVAL = timedelta(hours=1)
MAX_ITEMS_PER_GRID = 8
MAX_REMIND_BUTTONS = 20
NO_GRID = 0


def _pending(item: ChaseItem) -> bool:
    return item.state is ChaseState.OPEN or item.discrepancy_at is not None


@dataclass(frozen=True)
class Board:
    text: str
    buttons: Keyboard


async def chase_board(
    *, session: AsyncSession, viewer: Viewer, period: str | None, tz: tzinfo
) -> Board:
    chosen = period or await queries.latest_period(session=session)
    objects = {
        o.id: o for o in await queries.roster_objects(session=session) if in_scope(viewer, o)
    }
    items = (
        await queries.period_items(session=session, period=chosen, object_ids=objects.keys())
        if chosen
        else []
    )
    if chosen is None or not items:
        return Board(texts.BOARD_NONE, [])
    by_grid: dict[int, list[ChaseItem]] = defaultdict(list)
    for item in items:
        by_grid[objects[item.survey_object_id].grid_id or NO_GRID].append(item)
    grids = await grid_queries.grids_by_ids(session=session, grid_ids=set(by_grid) - {NO_GRID})
    lines = [texts.BOARD_HEADING.format(period=period_label(chosen))]
    for grid_id in sorted(by_grid, key=lambda g: grids[g].name if g in grids else ""):
        rows = by_grid[grid_id]
        figures = figures_of(rows)
        lines += [
            "",
            texts.BOARD_GRID.format(
                grid=esc(grids[grid_id].name if grid_id in grids else "未划分网格"),
                open=figures.open,
                declared=figures.declared,
                resolved=figures.resolved,
                discrepancies=figures.discrepancies,
            ),
        ]
        pending = [i for i in rows if _pending(i) and i.state is not ChaseState.RESOLVED]
        for item in pending[:MAX_ITEMS_PER_GRID]:
            lines.append(
                texts.BOARD_ITEM.format(
                    mark="⚠️" if item.discrepancy_at is not None else "·",
                    name=esc(objects[item.survey_object_id].name),
                    form=esc(item.form),
                    status=item.platform_status.value,
                    deadline=shown_deadline(item.deadline, tz),
                )
            )
        if len(pending) > MAX_ITEMS_PER_GRID:
            lines.append(texts.BOARD_MORE.format(count=len(pending) - MAX_ITEMS_PER_GRID))
    open_objects = list(
        dict.fromkeys(i.survey_object_id for i in items if i.state is ChaseState.OPEN)
    )
    keepers = {objects[o].statistician_id for o in open_objects} - {None}
    people = await queries.statisticians(
        session=session, person_ids={k for k in keepers if k is not None}
    )
    unreachable: list[str] = []
    reachable: list[int] = []
    for object_id in open_objects:
        keeper = objects[object_id].statistician_id
        if keeper is None or keeper not in people:
            continue
        person, account = people[keeper]
        why = texts.UNBOUND if account is None else texts.BLOCKED if person.unreachable_at else ""
        if why:
            unreachable.append(
                texts.BOARD_UNREACHABLE_LINE.format(
                    name=esc(objects[object_id].name),
                    person=esc(person.name),
                    mobile=mask_mobile(person.mobile),
                    why=why,
                )
            )
        else:
            reachable.append(object_id)
    if unreachable:
        lines += ["", texts.BOARD_UNREACHABLE, *unreachable]
    buttons = [
        [
            Button(
                texts.REMIND.format(name=objects[o].name[:20]),
                data=ChaseRemind(o, chosen),
            )
        ]
        for o in reachable[:MAX_REMIND_BUTTONS]
    ]
    buttons.append([Button(texts.LEDGER, data=ChaseLedger(chosen))])
    return Board("\n".join(lines), buttons)


class RemindOutcome(StrEnum):
    SENT = "sent"
    TOO_SOON = "too_soon"
    NOTHING = "nothing"
    UNREACHABLE = "unreachable"
    NOT_IN_SCOPE = "not_in_scope"


async def remind_again(
    *,
    session: AsyncSession,
    viewer: Viewer,
    object_id: int,
    period: str,
    now: datetime,
    tz: tzinfo,
) -> tuple[RemindOutcome, str]:
    """[再提醒]: the enterprise's open items to its statistician again, at most once in any
    hour (each press claimed), in the caller's transaction."""
    obj = (await queries.objects_by_ids(session=session, object_ids=[object_id])).get(object_id)
    if obj is None or not in_scope(viewer, obj):
        return RemindOutcome.NOT_IN_SCOPE, ""
    items = [
        i
        for i in await queries.period_items(session=session, period=period, object_ids=[object_id])
        if i.state is ChaseState.OPEN
    ]
    if not items or obj.statistician_id is None:
        return RemindOutcome.NOTHING, obj.name
    person, account = (
        await queries.statisticians(session=session, person_ids=[obj.statistician_id])
    )[obj.statistician_id]
    if account is None or person.unreachable_at is not None:
        return RemindOutcome.UNREACHABLE, obj.name
    target = f"object:{object_id}"
    last = await queries.last_claimed(
        session=session, duty=REMIND_DUTY, target=target, period=period
    )
    if last is not None and now - last < REMIND_INTERVAL:
        return RemindOutcome.TOO_SOON, obj.name
    # The claim's step is the hour: two presses racing in it cannot both send.
    hour = now.astimezone(tz).strftime("%Y-%m-%dT%H")
    if not await claim(
        session=session,
        key=(REMIND_DUTY, target, period, hour),
        status=ReminderStatus.QUEUED,
        note=f"person:{viewer.person_id}",
        now=now,
    ):
        return RemindOutcome.TOO_SOON, obj.name
    day = chase_day(now, tz)
    for item in items:
        item.reminded_on = day
        session.add(item)
    await queue_chases(
        session=session,
        period=period,
        copies=[ChaseCopy(obj.statistician_id, account, tuple(items))],
        objects={obj.id: obj},
        key=f"remind:{object_id}:{hour}",
        when=now,
        tz=tz,
    )
    return RemindOutcome.SENT, obj.name
