"""take_slot: at most `limit` actions per person in any window, kept in the database, and
never exceeded by sessions racing for the last slot (PostgreSQL)."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.limits import drop_slots, take_slot
from models.tables import Person, RateSlot

T0 = datetime(2026, 12, 3, 3, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


async def person(sessions: async_sessionmaker[AsyncSession], mobile: str) -> int:
    async with sessions() as session, session.begin():
        row = Person(name="陈统计", mobile=mobile)
        session.add(row)
        await session.flush()
        assert row.id is not None
        return row.id


async def take(
    sessions: async_sessionmaker[AsyncSession],
    person_id: int,
    at: datetime,
    *,
    action: str = "question",
    limit: int = 3,
) -> datetime | None:
    async with sessions() as session, session.begin():
        return await take_slot(
            session=session, person_id=person_id, action=action, limit=limit, window=HOUR, now=at
        )


async def test_the_slot_over_the_limit_is_refused_until_the_oldest_is_an_hour_old(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    me = await person(sessions, "13800000001")
    minute = timedelta(minutes=1)
    assert [await take(sessions, me, T0 + n * minute) for n in range(3)] == [None] * 3
    assert await take(sessions, me, T0 + 3 * minute) == T0 + HOUR
    # The window slides: the first slot is free an hour later, the second a minute after.
    assert await take(sessions, me, T0 + HOUR) is None
    assert await take(sessions, me, T0 + HOUR + 30 * timedelta(seconds=1)) == T0 + minute + HOUR
    assert await take(sessions, me, T0 + minute + HOUR) is None
    async with sessions() as session:
        rows = (await session.exec(select(func.count()).select_from(RateSlot))).one()
    assert rows == 3  # slots are reused, not piled up


async def test_each_person_and_action_has_its_own_slots(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    me, other = await person(sessions, "13800000001"), await person(sessions, "13800000002")
    assert await take(sessions, me, T0, limit=1) is None
    assert await take(sessions, me, T0, limit=1) == T0 + HOUR
    assert await take(sessions, other, T0, limit=1) is None
    assert await take(sessions, me, T0, action="export", limit=1) is None
    # A lower limit counts the slots it has; a higher one adds slots.
    assert await take(sessions, me, T0, action="export", limit=2) is None
    assert await take(sessions, me, T0, action="export", limit=2) == T0 + HOUR


async def test_a_refused_take_changes_nothing(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    me = await person(sessions, "13800000001")
    assert await take(sessions, me, T0, limit=1) is None
    for _ in range(3):
        assert await take(sessions, me, T0 + timedelta(minutes=5), limit=1) == T0 + HOUR
    assert await take(sessions, me, T0 + HOUR, limit=1) is None


async def test_old_per_activity_slots_are_dropped(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    me = await person(sessions, "13800000001")
    for action in ("checkin:1", "checkin:2", "checkin_x", "question"):
        assert await take(sessions, me, T0, action=action) is None
    assert await take(sessions, me, T0 + HOUR, action="checkin:3") is None
    async with sessions() as session, session.begin():
        await drop_slots(
            session=session, person_id=me, action_prefix="checkin:", taken_before=T0 + HOUR
        )
    async with sessions() as session:
        left = (await session.exec(select(RateSlot.action))).all()
    assert sorted(left) == ["checkin:3", "checkin_x", "question"]


async def test_racing_sessions_never_exceed_the_limit(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time: no race to lose")
    me = await person(sessions, "13800000001")

    async def one(at: datetime) -> datetime | None:
        return await take(sessions, me, at, limit=4)

    async def many(at: datetime) -> list[datetime | None]:
        return [await one(at) for _ in range(6)]

    # New slots (unique inserts) raced for ...
    first, second = await asyncio.gather(many(T0), many(T0))
    results = first + second
    assert results.count(None) == 4
    assert all(r == T0 + HOUR for r in results if r is not None)
    # ... and old ones reused (compare-and-swap), by eight sessions at once.
    later = T0 + HOUR
    results = list(await asyncio.gather(*(one(later) for _ in range(8))))
    assert results.count(None) == 4
    async with sessions() as session:
        rows = (await session.exec(select(RateSlot.taken_at))).all()
    assert sorted(rows) == [later] * 4
