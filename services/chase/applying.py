"""[确认催报]: the stored rows applied to the period's items (new, kept, reopened, flagged,
resolved) and one combined chase per statistician queued, at most once per working day."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, tzinfo
from enum import StrEnum
from typing import NamedTuple

from sqlmodel.ext.asyncio.session import AsyncSession

from models import chase as queries
from models.tables.chase import ChaseItem, ChaseState, PlatformStatus
from services.access import Viewer
from services.chase.discrepancies import tell_instructors
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


class ItemView(NamedTuple):
    """An item as the chase message shows it, without building ORM objects (a city's list is
    thousands of them: they are written in bulk)."""

    id: int
    survey_object_id: int
    form: str
    platform_status: PlatformStatus
    problem: str
    deadline: datetime | None
    state: ChaseState
    declared: str | None
    reminded_on: date | None


def _view(row: Row, item: ChaseItem | None, state: ChaseState, declared: str | None) -> ItemView:
    return ItemView(
        id=0 if item is None or item.id is None else item.id,
        survey_object_id=row.object_id,
        form=row.form,
        platform_status=row.status,
        problem=row.problem,
        # An export without 截止时间 keeps the deadline an earlier one gave.
        deadline=row.deadline if row.deadline is not None or item is None else item.deadline,
        state=state,
        declared=declared,
        reminded_on=None if item is None else item.reminded_on,
    )


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
    # What each item on the export becomes: new ones, then the existing with their changes.
    on_export: list[ItemView] = [_view(r, None, ChaseState.OPEN, None) for r in plan.new]
    changes: list[dict[str, object]] = []
    for row, item in plan.kept:
        on_export.append(_view(row, item, ChaseState.OPEN, None))
    for row, item in plan.reopened:
        on_export.append(_view(row, item, ChaseState.OPEN, None)._replace(reminded_on=None))
        changes.append(
            {
                "id": item.id,
                "state": ChaseState.OPEN,
                "resolved_at": None,
                "declared": None,
                "declared_at": None,
                "discrepancy_at": None,
            }
        )
    for row, item in plan.discrepancies:
        on_export.append(_view(row, item, ChaseState.DECLARED, item.declared))
        changes.append({"id": item.id, "discrepancy_at": now})
        assert item.declared is not None
        assert item.declared_at is not None
        name = objects[item.survey_object_id].name
        result.discrepancies.append((name, item.form, item.declared, item.declared_at))
    day = chase_day(now, tz)
    result.day = day
    by_person: dict[int, list[int]] = defaultdict(list)
    for index, view in enumerate(on_export):
        keeper = objects[view.survey_object_id].statistician_id
        if keeper is not None:
            by_person[keeper].append(index)
    people = await queries.statisticians(session=session, person_ids=by_person.keys())
    chased: list[tuple[int, int, list[int]]] = []
    for person_id, indexes in by_person.items():
        if all(on_export[i].reminded_on == day for i in indexes):
            result.already_today += 1
            continue
        person, account = people[person_id]
        if account is None or person.unreachable_at is not None:
            result.unreachable += 1
            continue
        for i in indexes:
            on_export[i] = on_export[i]._replace(reminded_on=day)
        chased.append((person_id, account, indexes))
    fresh = len(plan.new)
    ids = await queries.insert_items(
        session=session,
        import_id=import_id,
        items=[
            {
                "period": period,
                "survey_object_id": v.survey_object_id,
                "form": v.form,
                "platform_status": v.platform_status,
                "problem": v.problem,
                "deadline": v.deadline,
                "state": ChaseState.OPEN,
                "first_import_id": import_id,
                "last_import_id": import_id,
                "reminded_on": v.reminded_on,
                "created_at": now,
            }
            for v in on_export[:fresh]
        ],
    )
    for i in range(fresh):
        view = on_export[i]
        on_export[i] = view._replace(id=ids[(view.survey_object_id, view.form)])
    listed = {v.id: v for v in on_export[fresh:]}
    merged = {c["id"]: c for c in changes}
    await queries.update_items(
        session=session,
        changes=[
            {
                **merged.get(v.id, {}),
                "id": v.id,
                "platform_status": v.platform_status,
                "problem": v.problem,
                "deadline": v.deadline,
                "last_import_id": import_id,
                "reminded_on": v.reminded_on,
            }
            for v in listed.values()
        ]
        + [{"id": i.id, "state": ChaseState.RESOLVED, "resolved_at": now} for i in plan.resolved],
    )
    await tell_instructors(
        session=session,
        period=period,
        import_id=import_id,
        items=[item for _row, item in plan.discrepancies],
        objects=objects,
        importer_id=importer,
        now=now,
        tz=tz,
    )
    result.chased_people = len(chased)
    result.messages = await queue_chases(
        session=session,
        period=period,
        copies=[
            ChaseCopy(pid, account, tuple(on_export[i] for i in indexes))
            for pid, account, indexes in chased
        ],
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
