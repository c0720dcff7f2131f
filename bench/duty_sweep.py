"""Benchmark: one day's reminders for a large city, computed the way the engine's clock and
`gridbot duties preview` compute them (every duty the registry returns, at one moment).

    uv run python bench/duty_sweep.py [--members 100000] [--grids 5000] [--at "2026-12-24 09:00"]
                                      [--database-url URL]

The roster is bulk-inserted: 25 towns, `--grids` level-3 grids with a 网格长 and an instructor
each, `--members` statisticians keeping one enterprise each, everybody bound to Telegram; one
city-wide notice sent the day before and left unconfirmed by all (a reminder per member) and
500 questions waiting for an answer. Reported: the time (untraced) and the peak Python memory
(a second run, under tracemalloc) of computing the due, unclaimed reminders of every duty, per
duty and in total. Goal: under 2 s. Nothing is claimed or queued. By default a temporary SQLite
file is used.
"""

import argparse
import asyncio
import sys
import tempfile
import time
import tracemalloc
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.settings import load_settings
from knowledge.base import KnowledgeBase
from models.db import create_engine, session_factory, transaction
from models.enums import GridLevel, Industry, QuestionStatus, Role, Scale
from models.migrate import upgrade
from models.tables import (
    Assignment,
    Grid,
    Notice,
    NoticeRecipient,
    Person,
    Question,
    SurveyObject,
    TelegramBinding,
)
from services.duties import engine
from services.duties.config import load_duties
from services.duties.registry import build_duties
from tests.factories import valid_uscc

GOAL_SECONDS = 2.0
TOWNS = 25
QUESTIONS = 500
CHUNK = 5_000


async def insert(session: AsyncSession, model: type[SQLModel], rows: list[SQLModel]) -> None:
    """Bulk insert in chunks (executemany), ids assigned by the database in order."""
    table: Any = model.__table__  # type: ignore[attr-defined]
    dumped = [row.model_dump(exclude={"id"}) for row in rows]
    for start in range(0, len(dumped), CHUNK):
        await session.exec(sa.insert(table), params=dumped[start : start + CHUNK])


async def max_id(session: AsyncSession, model: type[SQLModel]) -> int:
    table: Any = model.__table__  # type: ignore[attr-defined]
    result = await session.exec(sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0)))
    return int(result.scalar_one())


async def populate(session: AsyncSession, *, members: int, grids: int, sent_at: datetime) -> None:
    await insert(session, Grid, [Grid(level=GridLevel.CITY, name="基准市")])
    city_id = await max_id(session, Grid)
    await insert(
        session,
        Grid,
        [Grid(level=GridLevel.TOWN, name=f"镇{t:02d}", parent_id=city_id) for t in range(TOWNS)],
    )
    first_town = city_id + 1
    await insert(
        session,
        Grid,
        [
            Grid(
                level=GridLevel.GRID,
                name=f"镇{g % TOWNS:02d}·网格{g:05d}",
                parent_id=first_town + g % TOWNS,
                industry=Industry.INDUSTRY,
                seq=g,
            )
            for g in range(grids)
        ],
    )
    first_grid = first_town + TOWNS
    # People: members, then a 网格长 and an instructor per grid, then a 二级网格长 per town.
    staff = 2 * grids
    total = members + staff + TOWNS
    first_person = await max_id(session, Person) + 1
    await insert(
        session, Person, [Person(name=f"人员{i}", mobile=f"139{i:08d}") for i in range(total)]
    )
    await insert(
        session,
        TelegramBinding,
        [
            TelegramBinding(person_id=first_person + i, telegram_user_id=1_000_000 + i)
            for i in range(total)
        ],
    )
    posts = [
        Assignment(
            person_id=first_person + members + 2 * g + k,
            grid_id=first_grid + g,
            role=(Role.GRID_HEAD, Role.INSTRUCTOR)[k],
        )
        for g in range(grids)
        for k in (0, 1)
    ] + [
        Assignment(
            person_id=first_person + members + staff + t,
            grid_id=first_town + t,
            role=Role.TOWN_HEAD,
        )
        for t in range(TOWNS)
    ]
    await insert(session, Assignment, list(posts))
    await insert(
        session,
        SurveyObject,
        [
            SurveyObject(
                name=f"企业{i}",
                uscc=valid_uscc(i),
                industry=Industry.INDUSTRY,
                scale=Scale.ABOVE_SCALE,
                town_id=first_town + (i % grids) % TOWNS,
                grid_id=first_grid + i % grids,
                statistician_id=first_person + i,
            )
            for i in range(members)
        ],
    )
    admin = first_person + members
    await insert(
        session,
        Notice,
        [
            Notice(
                sender_id=admin,
                text="请于本月25日前完成月报",
                target_label="全市",
                created_at=sent_at,
            )
        ],
    )
    notice_id = await max_id(session, Notice)
    await insert(
        session,
        NoticeRecipient,
        [
            NoticeRecipient(notice_id=notice_id, person_id=first_person + i, chat_id=1_000_000 + i)
            for i in range(members)
        ],
    )
    await insert(
        session,
        Question,
        [
            Question(
                asker_id=first_person + i,
                grid_id=first_grid + i % grids,
                assignee_id=first_person + members + 2 * (i % grids) + 1,
                text=f"问题{i}：台账要保存几年？",
                status=QuestionStatus.OPEN,
                waiting_since=sent_at - timedelta(days=i % 5),
                created_at=sent_at - timedelta(days=i % 5),
            )
            for i in range(QUESTIONS)
        ],
    )


async def main(members: int, grids: int, at_text: str, database_url: str | None) -> int:
    settings = load_settings(quiet_hours=False)
    at = datetime.strptime(at_text, "%Y-%m-%d %H:%M").replace(tzinfo=settings.tz)
    config = load_duties(settings.duties_file)
    knowledge = await asyncio.to_thread(KnowledgeBase.load)
    duties = build_duties(config=config, settings=settings, knowledge=knowledge)
    with tempfile.TemporaryDirectory() as tmp:
        url = database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        db = create_engine(url)
        try:
            await upgrade(db)
            sessions = session_factory(db)
            loading = time.perf_counter()
            async with transaction(sessions) as session:
                await populate(
                    session, members=members, grids=grids, sent_at=at - timedelta(days=1)
                )
            print(
                f"roster: {members:,} members in {grids:,} grids, {TOWNS} towns, bulk-inserted "
                f"in {time.perf_counter() - loading:.1f} s ({db.dialect.name})"
            )
            print(f"duties: {', '.join(d.name for d in duties)}; at {at:%Y-%m-%d %H:%M %Z}")
            # Timed without tracing (tracemalloc slows Python code down severalfold), then
            # once more under tracemalloc for the peak memory.
            per_duty: dict[str, tuple[float, int]] = {}
            started = time.perf_counter()
            async with sessions() as session:
                for duty in duties:
                    begun = time.perf_counter()
                    found = await engine.pending(session=session, duty=duty, at=at)
                    per_duty[duty.name] = (time.perf_counter() - begun, len(found))
            elapsed = time.perf_counter() - started
            tracemalloc.start()
            async with sessions() as session:
                await engine.preview(session=session, duties=duties, at=at)
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        finally:
            await db.dispose()
    for name, (seconds, count) in per_duty.items():
        print(f"  {name:<22} {count:>8,} reminders  {seconds:6.2f} s")
    total = sum(count for _s, count in per_duty.values())
    print(
        f"one day's reminders: {total:,} in {elapsed:.2f} s, peak traced memory "
        f"{peak / 2**20:.0f} MiB (goal < {GOAL_SECONDS:.0f} s)"
    )
    return 0 if elapsed < GOAL_SECONDS else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--grids", type=int, default=5_000)
    parser.add_argument("--at", default="2026-12-24 09:00")
    parser.add_argument("--database-url")
    arguments = parser.parse_args()
    sys.exit(
        asyncio.run(main(arguments.members, arguments.grids, arguments.at, arguments.database_url))
    )
