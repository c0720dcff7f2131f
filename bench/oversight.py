"""Benchmark: a year's scorecards and exports for a city of 10,000 enterprises.

    uv run python bench/oversight.py [--enterprises 10000] [--grids 500] [--year 2026]
                                     [--database-url URL] [--scorecard-only]

The city is bulk-inserted: 25 towns, `--grids` level-3 grids with a 网格长 and an instructor
each, `--enterprises` survey objects each kept by its own statistician; a year of work: one
activity per grid and month with 85 % of members checked in and 5 % on leave, two city-wide
notices a month (90 % confirmed within two days), every grid's monthly report (one in ten
late), every town's hearing, four questions per grid (three answered) and three study records
per member. Reported for the city's year: the time (untraced) and the peak Python memory (a
second run, under tracemalloc) of the scorecard, its /stats text and chart, and of each export
(services/oversight/exports.py) and the annual evaluation when those modules exist. By
default a temporary SQLite file is used.
"""

import argparse
import asyncio
import importlib.util
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from models.db import create_engine, session_factory, transaction
from models.enums import (
    ActivityKind,
    AttendanceStatus,
    CheckinMethod,
    GridLevel,
    Industry,
    QuestionStatus,
    Role,
    Scale,
)
from models.migrate import upgrade
from models.tables import (
    Activity,
    ActivityGrid,
    Assignment,
    Attendance,
    Grid,
    MonthlyReport,
    Notice,
    NoticeRecipient,
    Person,
    Question,
    QuestionPost,
    ReportHearing,
    StudyRecord,
    SurveyObject,
)
from services.duties.config import load_duties
from services.duties.status import CITY
from services.oversight.periods import parse_period
from services.oversight.scorecard import scorecard
from services.oversight.stats import render, render_chart
from tests.factories import valid_uscc

TZ = ZoneInfo("Asia/Shanghai")
TOWNS = 25
CHUNK = 5_000
KINDS = list(ActivityKind)


async def insert(session: AsyncSession, model: type[SQLModel], rows: list[dict[str, Any]]) -> None:
    """Bulk insert plain dicts in chunks (executemany); ids assigned by the database in order."""
    table: Any = model.__table__  # type: ignore[attr-defined]
    for start in range(0, len(rows), CHUNK):
        await session.exec(sa.insert(table), params=rows[start : start + CHUNK])


async def max_id(session: AsyncSession, model: type[SQLModel]) -> int:
    table: Any = model.__table__  # type: ignore[attr-defined]
    result = await session.exec(sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0)))
    return int(result.scalar_one())


def at(year: int, month: int, day: int, hour: int = 9) -> datetime:
    return datetime(year, month, day, hour, tzinfo=TZ).astimezone(UTC)


async def populate(
    session: AsyncSession, *, enterprises: int, grids: int, year: int
) -> dict[str, int]:
    now = at(year, 1, 1)
    await insert(session, Grid, [{"level": GridLevel.CITY, "name": "基准市", "created_at": now}])
    city_id = await max_id(session, Grid)
    await insert(
        session,
        Grid,
        [
            {"level": GridLevel.TOWN, "name": f"镇{t:02d}", "parent_id": city_id, "created_at": now}
            for t in range(TOWNS)
        ],
    )
    first_town = city_id + 1
    await insert(
        session,
        Grid,
        [
            {
                "level": GridLevel.GRID,
                "name": f"镇{g % TOWNS:02d}·工业网格{g:04d}",
                "parent_id": first_town + g % TOWNS,
                "industry": Industry.INDUSTRY,
                "seq": g,
                "cross_town": False,
                "created_at": now,
            }
            for g in range(grids)
        ],
    )
    first_grid = first_town + TOWNS
    staff = 2 * grids
    total = enterprises + staff + TOWNS
    first_person = await max_id(session, Person) + 1
    await insert(
        session,
        Person,
        [
            {"name": f"人员{i}", "mobile": f"139{i:08d}", "active": True, "created_at": now}
            for i in range(total)
        ],
    )
    head = {g: first_person + enterprises + 2 * g for g in range(grids)}
    instructor = {g: first_person + enterprises + 2 * g + 1 for g in range(grids)}
    town_head = {t: first_person + enterprises + staff + t for t in range(TOWNS)}
    await insert(
        session,
        Assignment,
        [
            {
                "person_id": (head, instructor)[k][g],
                "grid_id": first_grid + g,
                "role": (Role.GRID_HEAD, Role.INSTRUCTOR)[k],
                "explicit": True,
                "started_at": now,
            }
            for g in range(grids)
            for k in (0, 1)
        ]
        + [
            {
                "person_id": town_head[t],
                "grid_id": first_town + t,
                "role": Role.TOWN_HEAD,
                "explicit": True,
                "started_at": now,
            }
            for t in range(TOWNS)
        ],
    )
    await insert(
        session,
        SurveyObject,
        [
            {
                "name": f"企业{i}",
                "uscc": valid_uscc(i),
                "industry": Industry.INDUSTRY,
                "scale": Scale.ABOVE_SCALE,
                "town_id": first_town + (i % grids) % TOWNS,
                "grid_id": first_grid + i % grids,
                "statistician_id": first_person + i,
                "created_at": now,
            }
            for i in range(enterprises)
        ],
    )
    members: dict[int, list[int]] = {g: [head[g], instructor[g]] for g in range(grids)}
    for i in range(enterprises):
        members[i % grids].append(first_person + i)

    # One activity per grid and month.
    activities = [
        {
            "kind": KINDS[(g + month) % len(KINDS)],
            "title": f"{month}月活动",
            "starts_at": at(year, month, 10 + g % 10),
            "ends_at": at(year, month, 10 + g % 10, 11),
            "place": "会议室",
            "organiser_id": instructor[g],
            "code_secret": "bench",
            "link_token_hash": f"{g:06d}-{month:02d}",
            "created_at": now,
        }
        for month in range(1, 13)
        for g in range(grids)
    ]
    first_activity = await max_id(session, Activity) + 1
    await insert(session, Activity, activities)
    await insert(
        session,
        ActivityGrid,
        [
            {"activity_id": first_activity + index, "grid_id": first_grid + index % grids}
            for index in range(len(activities))
        ],
    )
    attendance = []
    for index, activity in enumerate(activities):
        g = index % grids
        for n, person_id in enumerate(members[g]):
            slot = (n + index) % 20
            if slot > 17:
                continue
            present = slot < 17
            attendance.append(
                {
                    "activity_id": first_activity + index,
                    "person_id": person_id,
                    "status": AttendanceStatus.CHECKED_IN if present else AttendanceStatus.LEAVE,
                    "method": CheckinMethod.CODE if present else None,
                    "checked_in_at": activity["starts_at"] + timedelta(minutes=n % 30)
                    if present
                    else None,
                    "leave_reason": None if present else "出差",
                    "recorded_by": None if present else instructor[g],
                    "created_at": activity["starts_at"],
                }
            )
    await insert(session, Attendance, attendance)

    # Two city-wide notices a month to every member.
    everyone = sorted({p for people in members.values() for p in people})
    recipients = 0
    for month in range(1, 13):
        for day in (3, 17):
            sent = at(year, month, day)
            await insert(
                session,
                Notice,
                [
                    {
                        "sender_id": town_head[0],
                        "text": "请按时完成月报",
                        "target_label": "全市",
                        "created_at": sent,
                    }
                ],
            )
            notice_id = await max_id(session, Notice)
            rows = [
                {
                    "notice_id": notice_id,
                    "person_id": person_id,
                    "chat_id": None,
                    "confirmed_at": None
                    if n % 10 == 0
                    else sent + timedelta(minutes=(n * 37) % 2880),
                    "reminders": 0,
                }
                for n, person_id in enumerate(everyone)
            ]
            recipients += len(rows)
            await insert(session, NoticeRecipient, rows)

    await insert(
        session,
        MonthlyReport,
        [
            {
                "grid_id": first_grid + g,
                "period": f"{year}-{month:02d}",
                "author_id": head[g],
                "activities": "开展学习",
                "problems": "无",
                "help_needed": "无",
                "plan": "继续",
                "late": (g + month) % 10 == 0,
                "submitted_at": at(year, month, 24),
            }
            for month in range(1, 13)
            for g in range(grids)
        ],
    )
    await insert(
        session,
        ReportHearing,
        [
            {
                "town_id": first_town + t,
                "period": f"{year}-{month:02d}",
                "confirmed_by": town_head[t],
                "confirmed_at": at(year, month, 28),
            }
            for month in range(1, 13)
            for t in range(TOWNS)
        ],
    )
    first_question = await max_id(session, Question) + 1
    questions = [
        {
            "asker_id": members[g][2 + q],
            "grid_id": first_grid + g,
            "assignee_id": instructor[g],
            "text": "台账要保存几年？",
            "status": QuestionStatus.ANSWERED if q < 3 else QuestionStatus.OPEN,
            "created_at": at(year, 1 + 3 * q, 5),
        }
        for g in range(grids)
        for q in range(4)
    ]
    await insert(session, Question, questions)
    await insert(
        session,
        QuestionPost,
        [
            {
                "question_id": first_question + index,
                "author_id": row["assignee_id"],
                "kind": "answer",
                "body": "按规定保存。",
                "created_at": row["created_at"] + timedelta(hours=1 + index % 48),
            }
            for index, row in enumerate(questions)
            if row["status"] == QuestionStatus.ANSWERED
        ],
    )
    await insert(
        session,
        StudyRecord,
        [
            {
                "person_id": person_id,
                "studied_on": date(year, 3 + 3 * k, 1 + n % 28),
                "topic": f"课程{k}",
                "hours": float(4 + (n + k) % 6),
                "source": "import",
                "created_at": now,
            }
            for n, person_id in enumerate(everyone)
            for k in range(3)
        ],
    )
    return {
        "people": total,
        "activities": len(activities),
        "attendance": len(attendance),
        "notice copies": recipients,
        "questions": len(questions),
    }


Measured = Callable[[AsyncSession], Awaitable[object]]


async def measure(sessions: Any, work: Measured) -> tuple[float, int]:
    """Seconds untraced, then peak traced memory of a second run (tracemalloc slows Python)."""
    started = time.perf_counter()
    async with sessions() as session:
        await work(session)
    elapsed = time.perf_counter() - started
    tracemalloc.start()
    async with sessions() as session:
        await work(session)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return elapsed, peak


async def main(
    enterprises: int, grids: int, year: int, database_url: str | None, *, scorecard_only: bool
) -> int:
    duties = load_duties()
    period = parse_period(str(year))
    # Figures as at the end of the year: every month's report and hearing is due.
    now = at(year + 1, 1, 20)
    with tempfile.TemporaryDirectory() as tmp:
        url = database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        db = create_engine(url, tz=ZoneInfo("Asia/Shanghai"))
        try:
            await upgrade(db)
            sessions = session_factory(db)
            loading = time.perf_counter()
            async with transaction(sessions) as session:
                counts = await populate(session, enterprises=enterprises, grids=grids, year=year)
            print(
                f"city: {enterprises:,} enterprises in {grids:,} grids, {TOWNS} towns; "
                + ", ".join(f"{v:,} {k}" for k, v in counts.items())
                + f"; bulk-inserted in {time.perf_counter() - loading:.1f} s ({db.dialect.name})",
                flush=True,
            )

            async def city_card(session: AsyncSession) -> object:
                return await scorecard(
                    session=session, period=period, now=now, tz=TZ, duties=duties
                )

            async def stats(session: AsyncSession) -> object:
                card = await scorecard(
                    session=session, period=period, now=now, tz=TZ, duties=duties
                )
                view = render(card, CITY, tz=TZ)
                assert view.chart is not None
                return render_chart(view.chart)

            jobs: list[tuple[str, Measured]] = [
                ("scorecard (city, year)", city_card),
                ("/stats text + chart", stats),
            ]
            if not scorecard_only:
                jobs += _export_jobs(year)
                jobs += _evaluation_jobs(year, now)
            for name, work in jobs:
                seconds, peak = await measure(sessions, work)
                print(
                    f"  {name:<34} {seconds:7.2f} s   peak traced memory {peak / 2**20:7.1f} MiB",
                    flush=True,
                )
        finally:
            await db.dispose()
    return 0


def _export_jobs(year: int) -> list[tuple[str, Measured]]:
    if importlib.util.find_spec("services.oversight.exports") is None:
        return []
    from services.oversight import exports

    jobs: list[tuple[str, Measured]] = []
    for kind in exports.ExportKind:

        async def work(session: AsyncSession, kind: exports.ExportKind = kind) -> object:
            return await exports.build_export(
                session=session, kind=kind, period=exports.parse_period(str(year)), tz=TZ
            )

        jobs.append((f"export {kind.value} (city, year)", work))
        if kind in exports.YEARLY_KINDS:
            continue

        async def town_month(session: AsyncSession, kind: exports.ExportKind = kind) -> object:
            towns = await exports.queries.town_names(session=session)
            town_id = min(towns)
            return await exports.build_export(
                session=session,
                kind=kind,
                period=exports.parse_period(f"{year}-11"),
                tz=TZ,
                scope=exports.scope_for_town(town_id),
            )

        jobs.append((f"export {kind.value} (town, month)", town_month))
    return jobs


def _evaluation_jobs(year: int, now: datetime) -> list[tuple[str, Measured]]:
    if importlib.util.find_spec("services.oversight.evaluation") is None:
        return []
    from services.oversight.evaluation.config import load_evaluation_config
    from services.oversight.evaluation.evidence import evaluate_year

    config = load_evaluation_config()

    async def work(session: AsyncSession) -> object:
        return await evaluate_year(session=session, year=year, config=config, as_of=now, tz=TZ)

    return [("evaluation (city, year)", work)]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--enterprises", type=int, default=10_000)
    parser.add_argument("--grids", type=int, default=500)
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--database-url")
    parser.add_argument(
        "--scorecard-only", action="store_true", help="skip the exports and the evaluation"
    )
    arguments = parser.parse_args()
    sys.exit(
        asyncio.run(
            main(
                arguments.enterprises,
                arguments.grids,
                arguments.year,
                arguments.database_url,
                scorecard_only=arguments.scorecard_only,
            )
        )
    )
