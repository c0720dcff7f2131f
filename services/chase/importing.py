"""From a read export to a stored preview: rows matched against the roster and the sender's
scope (unmatched and out-of-scope rows listed, never dropped silently), and the plan of what
confirming would change."""

import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from models import chase as queries
from models.chase import RosterObject
from models.tables.chase import ChaseImport, ChaseItem, ChaseState, PlatformStatus
from services.access import Viewer
from services.chase import texts
from services.chase.cells import name_key
from services.chase.reading import Export, ExportRow, KeyKind
from services.chase.scope import in_scope


@dataclass(frozen=True)
class Skipped:
    row: int
    name: str
    reason: str


@dataclass(frozen=True)
class Row:
    """A matched, in-scope row: what a confirmed import applies."""

    object_id: int
    form: str
    status: PlatformStatus
    problem: str
    deadline: datetime | None

    def to_json(self) -> list[object]:
        deadline = None if self.deadline is None else self.deadline.isoformat()
        return [self.object_id, self.form, self.status.value, self.problem, deadline]

    @classmethod
    def from_json(cls, data: list[object]) -> "Row":
        object_id, form, status, problem, deadline = data
        return cls(
            int(str(object_id)),
            str(form),
            PlatformStatus(str(status)),
            str(problem),
            None if deadline is None else datetime.fromisoformat(str(deadline)),
        )


@dataclass
class Matched:
    rows: list[Row] = field(default_factory=list)
    unmatched: list[Skipped] = field(default_factory=list)
    out_of_scope: list[Skipped] = field(default_factory=list)
    # The survey objects the importer may chase (the items a later export resolves).
    scope_ids: set[int] = field(default_factory=set)
    objects: dict[int, RosterObject] = field(default_factory=dict)


class _Index:
    def __init__(self, objects: Sequence[RosterObject]) -> None:
        self.by_uscc = {o.uscc: o for o in objects}
        # The 组织机构代码 is the USCC's 9th to 17th characters.
        self.by_org: dict[str, list[RosterObject]] = defaultdict(list)
        self.by_name: dict[str, list[RosterObject]] = defaultdict(list)
        for o in objects:
            self.by_org[o.uscc[8:17]].append(o)
            self.by_name[name_key(o.name)].append(o)

    def find(self, row: ExportRow) -> tuple[RosterObject | None, str]:
        if row.key_kind is KeyKind.USCC:
            found = [self.by_uscc[row.key]] if row.key in self.by_uscc else []
        elif row.key_kind is KeyKind.ORG_CODE:
            found = self.by_org.get(row.key, [])
        else:
            found = self.by_name.get(row.key, [])
        live = [o for o in found if o.left_on is None]
        if len(live) > 1:
            return None, texts.REASON_AMBIGUOUS
        if live:
            return live[0], ""
        return None, texts.REASON_LEFT if found else texts.REASON_UNKNOWN


async def match_export(*, session: AsyncSession, export: Export, viewer: Viewer | None) -> Matched:
    objects = await queries.roster_objects(session=session)
    index = _Index(objects)
    matched = Matched(
        scope_ids={o.id for o in objects if in_scope(viewer, o)},
        objects={o.id: o for o in objects},
    )
    for row in export.rows:
        obj, reason = index.find(row)
        if obj is None:
            matched.unmatched.append(Skipped(row.number, row.name, reason))
        elif obj.id not in matched.scope_ids:
            matched.out_of_scope.append(Skipped(row.number, row.name, obj.name))
        elif obj.statistician_id is None and row.status is not PlatformStatus.REPORTED:
            matched.unmatched.append(Skipped(row.number, row.name, texts.REASON_NO_STATISTICIAN))
        else:
            matched.rows.append(Row(obj.id, row.form, row.status, row.problem, row.deadline))
    return matched


@dataclass
class Plan:
    """What confirming the rows changes among the period's items in scope."""

    new: list[Row] = field(default_factory=list)
    kept: list[tuple[Row, ChaseItem]] = field(default_factory=list)
    reopened: list[tuple[Row, ChaseItem]] = field(default_factory=list)
    discrepancies: list[tuple[Row, ChaseItem]] = field(default_factory=list)
    resolved: list[ChaseItem] = field(default_factory=list)
    statuses: Counter[PlatformStatus] = field(default_factory=Counter)

    @property
    def open_rows(self) -> list[Row]:
        rows = [r for r, _i in self.kept] + [r for r, _i in self.reopened]
        return self.new + rows + [r for r, _i in self.discrepancies]


async def plan_import(
    *, session: AsyncSession, period: str, rows: Sequence[Row], scope_ids: set[int]
) -> Plan:
    items = await queries.period_items(session=session, period=period, object_ids=scope_ids)
    by_key = {(i.survey_object_id, i.form): i for i in items}
    plan = Plan()
    listed: set[tuple[int, str]] = set()
    for row in rows:
        key = (row.object_id, row.form)
        existing = by_key.get(key)
        plan.statuses[row.status] += 1
        if row.status is PlatformStatus.REPORTED:
            continue
        listed.add(key)
        if existing is None:
            plan.new.append(row)
        elif existing.state is ChaseState.RESOLVED:
            plan.reopened.append((row, existing))
        elif existing.state is ChaseState.DECLARED:
            plan.discrepancies.append((row, existing))
        else:
            plan.kept.append((row, existing))
    plan.resolved = [
        i for key, i in by_key.items() if key not in listed and i.state is not ChaseState.RESOLVED
    ]
    return plan


async def store_import(
    *,
    session: AsyncSession,
    period: str,
    file_name: str,
    importer_id: int | None,
    rows: Sequence[Row],
    now: datetime,
) -> ChaseImport:
    return await queries.add_import(
        session=session,
        chase_import=ChaseImport(
            period=period,
            importer_id=importer_id,
            file_name=file_name[:200],
            payload=json.dumps([r.to_json() for r in rows], ensure_ascii=False),
            created_at=now,
        ),
    )


def stored_rows(chase_import: ChaseImport) -> list[Row]:
    return [Row.from_json(r) for r in json.loads(chase_import.payload)]
