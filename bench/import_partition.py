"""Benchmark: import and partition a roster of 10,000 enterprises (goal: under 5 s together).

    uv run python bench/import_partition.py [--enterprises 10000] [--towns 30] [--database-url URL]

Prints wall-clock time of each step and the process's peak resident memory.
"""

import argparse
import asyncio
import resource
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import func, select

from models.db import create_engine, session_factory
from models.migrate import upgrade
from models.tables import Assignment, Grid, SurveyObject
from services.demo_data.roster import build_demo_roster
from services.grids.partition.run import partition
from services.roster_import import import_roster

GOAL_SECONDS = 5.0


def peak_rss_mib() -> float:
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def main(enterprises: int, towns: int, database_url: str | None) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        started = time.perf_counter()
        roster = build_demo_roster(
            directory / "roster.xlsx", towns=towns, enterprises=enterprises, seed=1
        )
        generated = time.perf_counter() - started
        url = database_url or f"sqlite+aiosqlite:///{directory / 'bench.db'}"
        engine = create_engine(url, tz=ZoneInfo("Asia/Shanghai"))
        await upgrade(engine)
        sessions = session_factory(engine)

        started = time.perf_counter()
        async with sessions() as session:
            report = await import_roster(session=session, paths=[roster.path], city_name="乐清市")
        imported = time.perf_counter() - started
        if not report.ok:
            print(f"import failed: {report.errors[:5]}", file=sys.stderr)
            return 1

        started = time.perf_counter()
        async with sessions() as session:
            result = await partition(session=session)
        partitioned = time.perf_counter() - started

        started = time.perf_counter()
        async with sessions() as session:
            again = await import_roster(session=session, paths=[roster.path], city_name="乐清市")
        reimported = time.perf_counter() - started

        started = time.perf_counter()
        async with sessions() as session:
            rerun = await partition(session=session)
        repartitioned = time.perf_counter() - started

        async with sessions() as session:
            grid_count = (await session.exec(select(func.count()).select_from(Grid))).one()
            placed = (
                await session.exec(
                    select(func.count()).where(SurveyObject.grid_id != None)  # noqa: E711
                )
            ).one()
            staff = (await session.exec(select(func.count()).select_from(Assignment))).one()
        await engine.dispose()

    total = imported + partitioned
    print(f"database: {engine.dialect.name}")
    print(
        f"roster: {roster.enterprise_count} enterprises, {len(roster.towns)} towns, "
        f"{len(roster.people)} people (generated in {generated:.2f} s)"
    )
    print(
        f"import:            {imported:6.2f} s  ({report.enterprises_created} enterprises, "
        f"{report.people_created} people)"
    )
    print(
        f"partition:         {partitioned:6.2f} s  ({len(result.new_grids)} grids, "
        f"{result.placed} placed, {len(result.staff_placed)} staff placements)"
    )
    print(f"import + partition:{total:6.2f} s  (goal < {GOAL_SECONDS:.0f} s)")
    print(f"re-import (no-op): {reimported:6.2f} s  ({again.enterprises_unchanged} unchanged)")
    print(f"re-partition:      {repartitioned:6.2f} s  ({rerun.placed} placed)")
    print(f"rows: {grid_count} grid nodes, {placed} placed objects, {staff} assignments")
    print(f"peak RSS: {peak_rss_mib():.0f} MiB")
    return 0 if total < GOAL_SECONDS else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--enterprises", type=int, default=10_000)
    parser.add_argument("--towns", type=int, default=30)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.enterprises, args.towns, args.database_url)))
