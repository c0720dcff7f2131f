"""Query functions of 催报: the roster as an export is matched against, imports, items."""

from collections.abc import Collection, Sequence
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from models.db import select_rows
from models.tables import Person, ReminderClaim, SurveyObject, TelegramBinding
from models.tables.chase import ChaseImport, ChaseItem, ChaseState


class RosterObject(NamedTuple):
    id: int
    name: str
    uscc: str
    town_id: int
    grid_id: int | None
    statistician_id: int | None
    left_on: date | None


async def roster_objects(*, session: AsyncSession) -> list[RosterObject]:
    """Every survey object, as an export's rows are matched against them (one query)."""
    statement = sa.select(
        col(SurveyObject.id),
        col(SurveyObject.name),
        col(SurveyObject.uscc),
        col(SurveyObject.town_id),
        col(SurveyObject.grid_id),
        col(SurveyObject.statistician_id),
        col(SurveyObject.left_on),
    )
    return [RosterObject(*row) for row in await select_rows(session, statement)]


async def objects_by_ids(
    *, session: AsyncSession, object_ids: Collection[int]
) -> dict[int, RosterObject]:
    if not object_ids:
        return {}
    statement = sa.select(
        col(SurveyObject.id),
        col(SurveyObject.name),
        col(SurveyObject.uscc),
        col(SurveyObject.town_id),
        col(SurveyObject.grid_id),
        col(SurveyObject.statistician_id),
        col(SurveyObject.left_on),
    ).where(col(SurveyObject.id).in_(list(object_ids)))
    return {row[0]: RosterObject(*row) for row in await select_rows(session, statement)}


async def add_import(*, session: AsyncSession, chase_import: ChaseImport) -> ChaseImport:
    session.add(chase_import)
    await session.flush()
    return chase_import


async def import_by_id(*, session: AsyncSession, import_id: int) -> ChaseImport | None:
    return await session.get(ChaseImport, import_id)


async def take_import(*, session: AsyncSession, import_id: int, now: datetime) -> bool:
    """Mark the import confirmed; False when it already was (a second press, another process)."""
    result = await session.exec(
        update(ChaseImport)
        .where(col(ChaseImport.id) == import_id, col(ChaseImport.confirmed_at).is_(None))
        .values(confirmed_at=now)
    )
    return bool(result.rowcount)


async def period_items(
    *, session: AsyncSession, period: str, object_ids: Collection[int] | None = None
) -> list[ChaseItem]:
    """The period's items (of these survey objects), oldest first."""
    statement = select(ChaseItem).where(ChaseItem.period == period)
    if object_ids is not None:
        ids = list(object_ids)
        if not ids:
            return []
        statement = statement.where(col(ChaseItem.survey_object_id).in_(ids))
    result = await session.exec(statement.order_by(col(ChaseItem.created_at), col(ChaseItem.id)))
    return list(result.all())


async def items_by_ids(*, session: AsyncSession, item_ids: Sequence[int]) -> list[ChaseItem]:
    if not item_ids:
        return []
    result = await session.exec(select(ChaseItem).where(col(ChaseItem.id).in_(list(item_ids))))
    return sorted(result.all(), key=lambda item: item_ids.index(item.id or 0))


async def open_items(*, session: AsyncSession) -> list[ChaseItem]:
    """Every item not resolved, of every period (what escalation looks at)."""
    result = await session.exec(
        select(ChaseItem).where(col(ChaseItem.state) != ChaseState.RESOLVED)
    )
    return list(result.all())


async def latest_period(*, session: AsyncSession) -> str | None:
    result = await session.exec(select(sa.func.max(ChaseItem.period)))
    return result.first()


async def declare(*, session: AsyncSession, item_id: int, declared: str, now: datetime) -> bool:
    """An open item declared done by its statistician; False when it was not open."""
    result = await session.exec(
        update(ChaseItem)
        .where(col(ChaseItem.id) == item_id, col(ChaseItem.state) == ChaseState.OPEN)
        .values(state=ChaseState.DECLARED, declared=declared, declared_at=now)
    )
    return bool(result.rowcount)


async def statisticians(
    *, session: AsyncSession, person_ids: Collection[int]
) -> dict[int, tuple[Person, int | None]]:
    """Each person with their live Telegram account (None when unbound)."""
    if not person_ids:
        return {}
    statement = (
        select(Person, TelegramBinding.telegram_user_id)
        .outerjoin(
            TelegramBinding,
            sa.and_(
                col(TelegramBinding.person_id) == col(Person.id),
                col(TelegramBinding.ended_at).is_(None),
            ),
        )
        .where(col(Person.id).in_(list(person_ids)))
    )
    found: dict[int, tuple[Person, int | None]] = {}
    for person, account in (await session.exec(statement)).all():
        assert person.id is not None
        found[person.id] = (person, account)
    return found


async def drop_import(*, session: AsyncSession, import_id: int) -> bool:
    """Delete an import not confirmed yet ([取消]); False when it was confirmed meanwhile."""
    result = await session.exec(
        sa.delete(ChaseImport).where(
            col(ChaseImport.id) == import_id, col(ChaseImport.confirmed_at).is_(None)
        )
    )
    return bool(result.rowcount)


async def insert_items(
    *, session: AsyncSession, import_id: int, items: Sequence[dict[str, object]]
) -> dict[tuple[int, str], int]:
    """Insert an import's new items in one executemany; their ids by (survey object, form)."""
    if not items:
        return {}
    table: Any = ChaseItem.__table__  # type: ignore[attr-defined]
    await session.exec(sa.insert(table), params=list(items))
    result = await session.exec(
        select(ChaseItem.id, ChaseItem.survey_object_id, ChaseItem.form).where(
            ChaseItem.first_import_id == import_id
        )
    )
    return {(object_id, form): item_id for item_id, object_id, form in result.all() if item_id}


async def update_items(*, session: AsyncSession, changes: Sequence[dict[str, object]]) -> None:
    """Update many items by id (each dict: "id" and the columns it changes)."""
    groups: dict[tuple[str, ...], list[dict[str, object]]] = {}
    for change in changes:
        groups.setdefault(tuple(sorted(change)), []).append(change)
    for group in groups.values():
        await session.exec(update(ChaseItem), params=group)


async def last_claimed(
    *, session: AsyncSession, duty: str, target: str, period: str
) -> datetime | None:
    """When a reminder of this duty, target and period was last claimed (any step)."""
    result = await session.exec(
        select(sa.func.max(ReminderClaim.created_at)).where(
            ReminderClaim.duty == duty,
            ReminderClaim.target == target,
            ReminderClaim.period == period,
        )
    )
    found = result.first()
    # SQLite hands back the aggregate as text or naive: read it as the column's UTC.
    if isinstance(found, str):
        found = datetime.fromisoformat(found)
    if isinstance(found, datetime) and found.tzinfo is None:
        found = found.replace(tzinfo=UTC)
    return found
