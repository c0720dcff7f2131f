"""Benchmark: the cost of one typed check-in code with 100 activities open.

    uv run python bench/checkin.py [--activities 100] [--guesses 300] [--database-url URL]

Before: the code was checked by deriving it (HMAC-SHA256) for the current and the previous
step of every activity within a day, then for the 178 steps before that to tell "expired" from
"wrong": ~180 HMACs per activity for every wrong guess, on the event loop. After: one lookup
in the code index (services/activities/code_index.py), filled ahead as it goes. Both are timed
end to end on the same database (a session, the queries and the commit per guess): wrong codes
(the guesser's case and the worst one), by the lookup alone and by the whole check with its
rate limits (which write their counts), and right codes (a member checking in). Each guess is
made by another person, so the rate limits never refuse one. Also printed: the one-off fill of
the index after a quiet spell, and the longest the event loop was held. By default a temporary
SQLite file is used.
"""

import argparse
import asyncio
import hmac
import secrets
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from core.settings import load_settings
from models import activities as queries
from models.db import create_engine, session_factory, transaction
from models.enums import ActivityKind, GridLevel, Industry, Scale
from models.migrate import upgrade
from models.tables import Activity, ActivityGrid, Grid, Person, SurveyObject
from services.activities.checkin import check_in_by_code
from services.activities.code_index import STALE_STEPS, find_code, index_codes
from services.activities.codes import code_at, code_step, new_code_secret
from services.limits import checkin_limits
from tests.factories import valid_uscc

PERIOD = 60


async def old_lookup(session: AsyncSession, code: str, now: datetime) -> list[int]:
    """The code check before the index (services/activities/checkin.py at 92a2642)."""
    step = code_step(now, PERIOD)
    candidates = await queries.activities_between(
        session=session, starts_before=now + timedelta(days=1), ends_after=now - timedelta(days=1)
    )
    matches = [
        a.id or 0
        for a in candidates
        if hmac.compare_digest(code, code_at(a.code_secret, step))
        or hmac.compare_digest(code, code_at(a.code_secret, step - 1))
    ]
    if matches:
        return matches
    for activity in candidates:
        for earlier in range(step - 2, step - STALE_STEPS, -1):
            if hmac.compare_digest(code, code_at(activity.code_secret, earlier)):
                return [activity.id or 0]
    return []


async def populate(
    sessions: async_sessionmaker[AsyncSession], count: int, people: int, now: datetime
) -> tuple[list[Activity], list[int]]:
    """`count` open activities, each for its own grid; `people` statisticians spread over them."""
    async with transaction(sessions) as session:
        city = Grid(level=GridLevel.CITY, name="基准市")
        session.add(city)
        await session.flush()
        town = Grid(level=GridLevel.TOWN, name="基准镇", parent_id=city.id)
        session.add(town)
        await session.flush()
        grids = [
            Grid(level=GridLevel.GRID, name=f"网格{n:03d}", parent_id=town.id, seq=n)
            for n in range(count)
        ]
        persons = [Person(name=f"人员{n}", mobile=f"139{n:08d}") for n in range(people + 1)]
        session.add_all([*grids, *persons])
        await session.flush()
        organiser = persons[-1].id or 0
        activities = [
            Activity(
                kind=ActivityKind.STUDY,
                title=f"活动{n}",
                starts_at=now - timedelta(minutes=20),
                ends_at=now + timedelta(hours=2),
                place="会议室",
                organiser_id=organiser,
                code_secret=new_code_secret(),
                link_token_hash=secrets.token_hex(32),
            )
            for n in range(count)
        ]
        session.add_all(activities)
        await session.flush()
        for grid, activity in zip(grids, activities, strict=True):
            session.add(ActivityGrid(activity_id=activity.id or 0, grid_id=grid.id or 0))
        for n, person in enumerate(persons[:-1]):
            session.add(
                SurveyObject(
                    name=f"企业{n}",
                    uscc=valid_uscc(n + 1),
                    industry=Industry.INDUSTRY,
                    scale=Scale.ABOVE_SCALE,
                    town_id=town.id or 0,
                    grid_id=grids[n % count].id,
                    statistician_id=person.id,
                )
            )
    return activities, [p.id or 0 for p in persons[:-1]]


class LoopWatch:
    """The longest the event loop went without running a 1 ms ticker."""

    def __init__(self) -> None:
        self.longest = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _tick(self) -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            self.longest = max(self.longest, now - last - 0.001)
            last = now

    def __enter__(self) -> "LoopWatch":
        self._task = asyncio.get_running_loop().create_task(self._tick())
        return self

    def __exit__(self, *_exc: object) -> None:
        assert self._task is not None
        self._task.cancel()


async def timed(
    label: str, guesses: int, one: Callable[[int], Awaitable[object]]
) -> tuple[float, float]:
    await asyncio.sleep(0.01)
    times = []
    with LoopWatch() as watch:
        for n in range(guesses):
            started = time.perf_counter()
            await one(n)
            times.append(time.perf_counter() - started)
    times.sort()
    mean = statistics.fmean(times) * 1000
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))] * 1000
    print(
        f"{label:<44} mean {mean:7.2f} ms   p99 {p99:7.2f} ms   "
        f"loop held ≤ {watch.longest * 1000:6.2f} ms"
    )
    return mean, p99


def wrong_codes(activities: list[Activity], now: datetime, count: int) -> list[str]:
    step = code_step(now, PERIOD)
    known = {
        code_at(a.code_secret, s) for a in activities for s in range(step - STALE_STEPS, step + 2)
    }
    found: list[str] = []
    while len(found) < count:
        code = f"{secrets.randbelow(1_000_000):06d}"
        if code not in known:
            found.append(code)
    return found


async def run(url: str, count: int, guesses: int) -> None:
    engine = create_engine(url, tz=ZoneInfo("Asia/Shanghai"))
    await upgrade(engine)
    sessions = session_factory(engine)
    now = datetime.now(UTC)
    activities, people = await populate(sessions, count, 2 * guesses, now)
    limits = checkin_limits(load_settings())
    wrong = wrong_codes(activities, now, guesses)
    step = code_step(now, PERIOD)
    print(f"{count} activities open, {guesses} guesses each, {url.split(':')[0]}")

    async def before(n: int) -> None:
        async with transaction(sessions) as session:
            await old_lookup(session, wrong[n], datetime.now(UTC))

    before_mean, before_p99 = await timed(
        "before: wrong code (scan, ~180 HMACs/activity)", guesses, before
    )

    started = time.perf_counter()
    with LoopWatch() as watch:
        async with transaction(sessions) as session:
            filled = await index_codes(session=session, now=datetime.now(UTC), period_s=PERIOD)
    print(
        f"after: index fill after a quiet spell ({filled} activities)   "
        f"{(time.perf_counter() - started) * 1000:7.2f} ms   "
        f"loop held ≤ {watch.longest * 1000:6.2f} ms   (once per quiet spell)"
    )

    async def lookup_only(n: int) -> None:
        async with transaction(sessions) as session:
            await find_code(session=session, code=wrong[n], now=datetime.now(UTC), period_s=PERIOD)

    await timed("after: wrong code, index lookup alone", guesses, lookup_only)

    async def after_wrong(n: int) -> None:
        async with transaction(sessions) as session:
            await check_in_by_code(
                session=session,
                person_id=people[n],
                code=wrong[n],
                now=datetime.now(UTC),
                period_s=PERIOD,
                limits=limits,
            )

    async def after_right(n: int) -> None:
        person = people[guesses + n]
        activity = activities[(guesses + n) % count]
        async with transaction(sessions) as session:
            result = await check_in_by_code(
                session=session,
                person_id=person,
                code=code_at(activity.code_secret, step),
                now=datetime.now(UTC),
                period_s=PERIOD,
                limits=limits,
            )
        if result.outcome.value not in ("checked_in", "stale_code"):
            raise SystemExit(f"unexpected outcome {result.outcome}")

    after_mean, after_p99 = await timed(
        "after: wrong code (index lookup + limits)", guesses, after_wrong
    )
    await timed("after: right code (lookup, limits, check-in)", guesses, after_right)
    print(
        f"wrong code, whole check: mean {before_mean / after_mean:5.1f}x faster, "
        f"p99 {before_p99 / after_p99:5.1f}x faster (the rest is the limits' writes and commit)"
    )
    await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--activities", type=int, default=100)
    parser.add_argument("--guesses", type=int, default=300)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        asyncio.run(run(url, args.activities, args.guesses))


if __name__ == "__main__":
    main()
