"""Query functions for per-person rate limits (a sliding window of slots, see RateSlot) and
for the check-in code index (see CheckinCode).

Taking a slot never reads and then inserts on a guess: a new slot is an INSERT .. ON CONFLICT
DO NOTHING on the primary key and an old one is reused by a compare-and-swap UPDATE on the
`taken_at` that was read, so whichever of two sessions loses the row tries the next slot or is
refused. Both statements wait on PostgreSQL for a concurrent writer of the same row to commit
and then see its result (READ COMMITTED), so `limit` is never exceeded.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.tables import Activity, CheckinCode, CheckinCodeFill, RateSlot


async def _dialect(session: AsyncSession) -> Any:
    connection = await session.connection()
    return postgresql if connection.dialect.name == "postgresql" else sqlite


async def _slots(
    session: AsyncSession, person_id: int, action: str, limit: int
) -> dict[int, datetime]:
    result = await session.exec(
        select(RateSlot.slot, RateSlot.taken_at).where(
            RateSlot.person_id == person_id,
            RateSlot.action == action,
            col(RateSlot.slot) < limit,
        )
    )
    return dict(result.all())


def _retry_at(
    slots: dict[int, datetime], limit: int, window: timedelta, now: datetime
) -> datetime | None:
    """When the next slot frees up; None when one is free now."""
    if len(slots) < limit:
        return None
    oldest = min(slots.values())
    return None if oldest <= now - window else oldest + window


async def take_slot(
    *,
    session: AsyncSession,
    person_id: int,
    action: str,
    limit: int,
    window: timedelta,
    now: datetime,
) -> datetime | None:
    """Count one `action` of the person: None when allowed (a slot is taken, in the caller's
    transaction), else the time from which it will be allowed again (nothing is changed).

    At most `limit` actions are allowed in any `window`-long stretch of time.
    """
    if limit < 1:
        raise ValueError("limit must be positive")
    dialect = await _dialect(session)
    # Each lost race means another session took a slot: after `limit` of them all are taken.
    for _attempt in range(limit + 1):
        slots = await _slots(session, person_id, action, limit)
        free = next((n for n in range(limit) if n not in slots), None)
        if free is not None:
            inserted = await session.exec(
                dialect.insert(RateSlot)
                .values(person_id=person_id, action=action, slot=free, taken_at=now)
                .on_conflict_do_nothing(
                    index_elements=[
                        col(RateSlot.person_id),
                        col(RateSlot.action),
                        col(RateSlot.slot),
                    ]
                )
                .returning(col(RateSlot.slot))
            )
            if inserted.first() is not None:
                return None
            continue
        retry = _retry_at(slots, limit, window, now)
        if retry is not None:
            return retry
        oldest_slot, oldest_at = min(slots.items(), key=lambda item: item[1])
        swapped = await session.exec(
            sa.update(RateSlot)
            .where(
                col(RateSlot.person_id) == person_id,
                col(RateSlot.action) == action,
                col(RateSlot.slot) == oldest_slot,
                col(RateSlot.taken_at) == oldest_at,
            )
            .values(taken_at=now)
        )
        if swapped.rowcount == 1:
            return None
    slots = await _slots(session, person_id, action, limit)
    return _retry_at(slots, limit, window, now) or now + window


async def drop_slots(
    *, session: AsyncSession, person_id: int, action_prefix: str, taken_before: datetime
) -> None:
    """Forget the person's slots of actions starting with `action_prefix` taken before then
    (they would allow again anyway): per-activity actions would otherwise pile up."""
    await session.exec(
        sa.delete(RateSlot).where(
            col(RateSlot.person_id) == person_id,
            col(RateSlot.action).startswith(action_prefix, autoescape=True),
            col(RateSlot.taken_at) < taken_before,
        )
    )


# The check-in code index.


async def activities_to_index(
    *,
    session: AsyncSession,
    period_s: int,
    through_step: int,
    starts_before: datetime,
    ends_after: datetime,
) -> list[tuple[int, str, int | None]]:
    """(activity id, code secret, indexed through step or None) of every activity whose window
    meets [ends_after, starts_before] and whose codes are not indexed through `through_step`."""
    through = col(CheckinCodeFill.through_step)
    statement = (
        sa.select(col(Activity.id), col(Activity.code_secret), through)
        .outerjoin(
            CheckinCodeFill,
            sa.and_(
                col(CheckinCodeFill.activity_id) == col(Activity.id),
                col(CheckinCodeFill.period_s) == period_s,
            ),
        )
        .where(
            col(Activity.starts_at) <= starts_before,
            col(Activity.ends_at) >= ends_after,
            sa.or_(through.is_(None), through < through_step),
        )
        .order_by(col(Activity.id))
    )
    connection = await session.connection()
    rows = (await connection.execute(statement)).all()
    return [(a, s, t) for a, s, t in rows if a is not None]


async def add_codes(
    *,
    session: AsyncSession,
    period_s: int,
    codes: Iterable[tuple[int, int, str]],
    filled: dict[int, int],
) -> None:
    """Index (activity id, step, code) rows and mark each activity of `filled` indexed through
    its step (rows already there, from another session, are kept; a mark only moves ahead)."""
    connection = await session.connection()
    rows = [(activity_id, period_s, step, code) for activity_id, step, code in codes]
    if not rows:
        pass
    elif connection.dialect.name == "postgresql":
        # One statement over four arrays: a fill after a quiet spell is 20,000 rows or more.
        await connection.exec_driver_sql(
            "INSERT INTO checkin_code (activity_id, period_s, step, code) "
            "SELECT * FROM unnest($1::integer[], $2::integer[], $3::bigint[], $4::varchar[]) "
            "ON CONFLICT DO NOTHING",
            tuple(list(column) for column in zip(*rows, strict=True)),
        )
    else:
        # The driver's own executemany of one plain statement.
        await connection.exec_driver_sql(
            "INSERT INTO checkin_code (activity_id, period_s, step, code) "
            "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
            rows,
        )
    if filled:
        insert = (await _dialect(session)).insert(CheckinCodeFill)
        await connection.execute(
            insert.on_conflict_do_update(
                index_elements=[col(CheckinCodeFill.activity_id), col(CheckinCodeFill.period_s)],
                set_={"through_step": insert.excluded.through_step},
                where=col(CheckinCodeFill.through_step) < insert.excluded.through_step,
            ),
            [
                {"activity_id": a, "period_s": period_s, "through_step": t}
                for a, t in sorted(filled.items())
            ],
        )


async def drop_codes(*, session: AsyncSession, period_s: int, before_step: int) -> None:
    """Forget indexed codes older than any lookup needs."""
    await session.exec(
        sa.delete(CheckinCode).where(
            col(CheckinCode.period_s) == period_s, col(CheckinCode.step) < before_step
        )
    )


async def find_code(
    *,
    session: AsyncSession,
    period_s: int,
    code: str,
    from_step: int,
    through_step: int,
    starts_before: datetime,
    ends_after: datetime,
) -> list[tuple[int, int]]:
    """(activity id, step) of every indexed occurrence of `code` in [from_step, through_step]
    among activities whose window meets [ends_after, starts_before], newest step first: one
    lookup on (period_s, code, step)."""
    result = await session.exec(
        select(CheckinCode.activity_id, CheckinCode.step)
        .join(Activity, col(Activity.id) == col(CheckinCode.activity_id))
        .where(
            CheckinCode.period_s == period_s,
            CheckinCode.code == code,
            col(CheckinCode.step) >= from_step,
            col(CheckinCode.step) <= through_step,
            col(Activity.starts_at) <= starts_before,
            col(Activity.ends_at) >= ends_after,
        )
        .order_by(col(CheckinCode.step).desc(), col(CheckinCode.activity_id))
    )
    return list(result.all())
