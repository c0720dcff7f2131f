"""Query functions for the reminder engine: which reminders are claimed, and claiming one."""

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import ReminderStatus
from models.tables import ReminderClaim

ClaimKey = tuple[str, str, str, str]
# Bound parameters per IN list: well under SQLite's and asyncpg's limits.
_CHUNK = 500


def person_target(person_id: Any) -> sa.ColumnElement[str]:
    """The SQL for a reminder target "person:<id>" built from a person id column."""
    return sa.literal("person:") + sa.cast(person_id, sa.String)


def unclaimed(*, duty: str, period: str, step: str, target: Any) -> sa.ColumnElement[bool]:
    """A WHERE clause: no claim (duty, `target`, period, step) exists. `target` is an SQL
    expression over the outer query's row (e.g. `person_target(col(Person.id))`), so a
    city-wide duty reads only the reminders still to send, through the claims' unique index."""
    return ~(
        sa.exists().where(
            col(ReminderClaim.duty) == duty,
            col(ReminderClaim.target) == target,
            col(ReminderClaim.period) == period,
            col(ReminderClaim.step) == step,
        )
    )


async def claim(
    *,
    session: AsyncSession,
    key: ClaimKey,
    status: ReminderStatus,
    note: str | None,
    now: datetime,
) -> bool:
    """Insert the claim of reminder `key` (duty, target, period, step) in the caller's
    transaction; False when it was claimed before, by this or another process (then the caller
    sends nothing). INSERT .. ON CONFLICT DO NOTHING on both dialects, so two processes racing
    for one key never both win."""
    duty, target, period, step = key
    connection = await session.connection()
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(ReminderClaim)
        .values(
            duty=duty,
            target=target,
            period=period,
            step=step,
            status=status,
            note=None if note is None else note[:200],
            created_at=now,
        )
        .on_conflict_do_nothing(
            index_elements=[
                col(ReminderClaim.duty),
                col(ReminderClaim.target),
                col(ReminderClaim.period),
                col(ReminderClaim.step),
            ]
        )
        .returning(col(ReminderClaim.id))
    )
    result = await session.exec(statement)
    return result.first() is not None


@dataclass(frozen=True)
class NewClaim:
    key: ClaimKey
    status: ReminderStatus
    note: str | None


async def claim_many(
    *, session: AsyncSession, claims: Sequence[NewClaim], now: datetime
) -> set[ClaimKey]:
    """Insert many claims at once in the caller's transaction; returns the keys this call
    claimed (those claimed before, by this or another process, are left out). One
    INSERT .. ON CONFLICT DO NOTHING RETURNING per chunk on both dialects."""
    if not claims:
        return set()
    connection = await session.connection()
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    won: set[ClaimKey] = set()
    # Seven values per row: stay well under SQLite's 32,766 bound parameters.
    for start in range(0, len(claims), _CHUNK):
        rows = [
            {
                "duty": c.key[0],
                "target": c.key[1],
                "period": c.key[2],
                "step": c.key[3],
                "status": c.status,
                "note": None if c.note is None else c.note[:200],
                "created_at": now,
            }
            for c in claims[start : start + _CHUNK]
        ]
        statement = (
            dialect.insert(ReminderClaim)
            .values(rows)
            .on_conflict_do_nothing(
                index_elements=[
                    col(ReminderClaim.duty),
                    col(ReminderClaim.target),
                    col(ReminderClaim.period),
                    col(ReminderClaim.step),
                ]
            )
            .returning(
                col(ReminderClaim.duty),
                col(ReminderClaim.target),
                col(ReminderClaim.period),
                col(ReminderClaim.step),
            )
        )
        result = await session.exec(statement)
        won.update(tuple(row) for row in result.all())
    return won


async def claimed_keys(
    *, session: AsyncSession, duty: str, periods: Iterable[str]
) -> set[ClaimKey]:
    """Every claimed key of `duty` in the given periods (plain tuples: a duty tests thousands of
    keys against them per sweep)."""
    wanted = sorted(set(periods))
    keys: set[ClaimKey] = set()
    connection = await session.connection()
    for start in range(0, len(wanted), _CHUNK):
        result = await connection.execute(
            sa.select(
                col(ReminderClaim.duty),
                col(ReminderClaim.target),
                col(ReminderClaim.period),
                col(ReminderClaim.step),
            ).where(
                col(ReminderClaim.duty) == duty,
                col(ReminderClaim.period).in_(wanted[start : start + _CHUNK]),
            )
        )
        keys.update((d, t, p, s) for d, t, p, s in result.all())
    return keys


async def claim_status(
    *, session: AsyncSession, duty: str, target: str, period: str, step: str
) -> ReminderStatus | None:
    """How the reminder with this key was decided (queued or skipped); None: never claimed."""
    result = await session.exec(
        select(ReminderClaim.status).where(
            ReminderClaim.duty == duty,
            ReminderClaim.target == target,
            ReminderClaim.period == period,
            ReminderClaim.step == step,
        )
    )
    found = result.first()
    return None if found is None else ReminderStatus(found)


async def claimed_periods(
    *, session: AsyncSession, duty: str, target: str, step: str, status: ReminderStatus
) -> list[str]:
    """The periods of `duty` whose reminder `step` to `target` was decided as `status`."""
    result = await session.exec(
        select(ReminderClaim.period).where(
            ReminderClaim.duty == duty,
            ReminderClaim.target == target,
            ReminderClaim.step == step,
            ReminderClaim.status == status,
        )
    )
    return sorted(set(result.all()))


async def analyze_claims(*, session: AsyncSession) -> None:
    """Refresh PostgreSQL's planner statistics of the claims (no-op on SQLite, whose plans for
    these lookups follow the indexes alone). After a run that claimed thousands of reminders,
    the next sweep's anti-joins must not be planned on the statistics of a near-empty table:
    a nested loop over 100,000 claims per recipient runs for minutes, not milliseconds.
    Autovacuum would get there too, but only at its next pass."""
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        await connection.execute(sa.text("ANALYZE reminder_claim"))


async def claims_of(
    *, session: AsyncSession, duties: Collection[str] | None = None
) -> list[ReminderClaim]:
    """Claims (of some duties, or all), oldest first: for status views and tests."""
    statement = select(ReminderClaim).order_by(col(ReminderClaim.id))
    if duties is not None:
        statement = statement.where(col(ReminderClaim.duty).in_(list(duties)))
    return list((await session.exec(statement)).all())
