"""[确认催报]: the stored rows applied to the period's items (new, kept, reopened, flagged,
resolved) and one combined chase per statistician queued, at most once per working day."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, tzinfo
from enum import StrEnum

from sqlmodel.ext.asyncio.session import AsyncSession

from models import chase as queries
from models.tables.chase import ChaseItem, ChaseState
from services.access import Viewer
from services.chase.importing import Plan, Row, plan_import, stored_rows
from services.chase.messages import ChaseCopy, chase_day, not_before, queue_chases
from services.chase.scope import in_scope


class ConfirmOutcome(StrEnum):
    DONE = "done"
    UNKNOWN = "unknown"
    NOT_IMPORTER = "not_importer"
    ALREADY = "already"


@dataclass
class ConfirmResult:
    outcome: ConfirmOutcome
    period: str = ""
    plan: Plan = field(default_factory=Plan)
    messages: int = 0
    chased_people: int = 0
    already_today: int = 0
    unreachable: int = 0
    day: date | None = None
    # (enterprise, form, declared, declared_at) of items declared done but listed again.
    discrepancies: list[tuple[str, str, str, datetime]] = field(default_factory=list)


def _refresh(item: ChaseItem, row: Row, import_id: int) -> None:
    item.platform_status = row.status
    item.problem = row.problem
    item.deadline = row.deadline
    item.last_import_id = import_id


async def confirm_import(
    *,
    session: AsyncSession,
    import_id: int,
    viewer: Viewer | None,
    now: datetime,
    tz: tzinfo,
    send_time: time,
) -> ConfirmResult:
    """Apply a previewed import in the caller's transaction (the caller commits and wakes the
    outbox). The sender's scope is loaded again: a press is never trusted."""
    chase_import = await queries.import_by_id(session=session, import_id=import_id)
    if chase_import is None:
        return ConfirmResult(ConfirmOutcome.UNKNOWN)
    importer = None if viewer is None else viewer.person_id
    if chase_import.importer_id != importer:
        return ConfirmResult(ConfirmOutcome.NOT_IMPORTER)
    if not await queries.take_import(session=session, import_id=import_id, now=now):
        return ConfirmResult(ConfirmOutcome.ALREADY)
    period = chase_import.period
    objects = {o.id: o for o in await queries.roster_objects(session=session)}
    scope_ids = {oid for oid, o in objects.items() if in_scope(viewer, o)}
    rows = [r for r in stored_rows(chase_import) if r.object_id in scope_ids]
    plan = await plan_import(session=session, period=period, rows=rows, scope_ids=scope_ids)
    result = ConfirmResult(ConfirmOutcome.DONE, period=period, plan=plan)
    on_export: list[ChaseItem] = []
    for row in plan.new:
        item = ChaseItem(
            period=period,
            survey_object_id=row.object_id,
            form=row.form,
            platform_status=row.status,
            problem=row.problem,
            deadline=row.deadline,
            state=ChaseState.OPEN,
            first_import_id=import_id,
            last_import_id=import_id,
            created_at=now,
        )
        session.add(item)
        on_export.append(item)
    for row, item in plan.kept:
        _refresh(item, row, import_id)
        on_export.append(item)
    for row, item in plan.reopened:
        _refresh(item, row, import_id)
        item.state, item.resolved_at = ChaseState.OPEN, None
        item.declared = item.declared_at = item.discrepancy_at = None
        on_export.append(item)
    for row, item in plan.discrepancies:
        _refresh(item, row, import_id)
        item.discrepancy_at = now
        on_export.append(item)
        assert item.declared is not None
        assert item.declared_at is not None
        name = objects[item.survey_object_id].name
        result.discrepancies.append((name, item.form, item.declared, item.declared_at))
    for item in plan.resolved:
        item.state, item.resolved_at = ChaseState.RESOLVED, now
    session.add_all([*on_export, *plan.resolved])
    await session.flush()
    day = chase_day(now, tz)
    result.day = day
    by_person: dict[int, list[ChaseItem]] = defaultdict(list)
    for item in on_export:
        keeper = objects[item.survey_object_id].statistician_id
        if keeper is not None:
            by_person[keeper].append(item)
    people = await queries.statisticians(session=session, person_ids=by_person.keys())
    copies: list[ChaseCopy] = []
    for person_id, items in by_person.items():
        if all(i.reminded_on == day for i in items):
            result.already_today += 1
            continue
        person, account = people[person_id]
        if account is None or person.unreachable_at is not None:
            result.unreachable += 1
            continue
        for item in items:
            item.reminded_on = day
        copies.append(ChaseCopy(person_id, account, tuple(items)))
    result.chased_people = len(copies)
    result.messages = await queue_chases(
        session=session,
        period=period,
        copies=copies,
        objects=objects,
        key=f"import:{import_id}",
        when=not_before(now, day, send_time, tz),
        tz=tz,
    )
    return result


async def cancel_import(
    *, session: AsyncSession, import_id: int, viewer: Viewer | None
) -> ConfirmOutcome:
    """[取消]: the unconfirmed import is dropped, by its sender only."""
    chase_import = await queries.import_by_id(session=session, import_id=import_id)
    if chase_import is None:
        return ConfirmOutcome.UNKNOWN
    if chase_import.importer_id != (None if viewer is None else viewer.person_id):
        return ConfirmOutcome.NOT_IMPORTER
    if not await queries.drop_import(session=session, import_id=import_id):
        return ConfirmOutcome.ALREADY
    return ConfirmOutcome.DONE
