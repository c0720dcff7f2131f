"""Benchmark: 催报 for a city of 10,000 enterprises: a 3,000-row platform export sent to the
real bot as a document, from the upload to every chase queued in the outbox.

    uv run python bench/chase.py [--enterprises 10000] [--rows 3000] [--database-url URL]

The city is bulk-inserted (25 towns, 500 grids, each enterprise kept by its own bound
statistician) with a bound 管理员 who sends the list. The export names 2,000 enterprises, half
with two forms, and 30 units not on the roster. Reported: seconds from sending the document
to the preview, from [确认催报] to the result, their sum (goal < 3 s), and how many messages
were queued (one per statistician). By default a temporary SQLite file is used; the database
must be empty.
"""

import argparse
import asyncio
import io
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import openpyxl
import sqlalchemy as sa
from sqlmodel import SQLModel, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.app import build_application
from bot.runner import polling
from core.settings import load_settings
from emulator import BotApiEmulator
from models.db import create_engine, session_factory, transaction
from models.enums import GridLevel, Industry, Role, Scale
from models.migrate import upgrade
from models.tables import (
    Assignment,
    Grid,
    OutboxMessage,
    Person,
    SurveyObject,
    TelegramBinding,
)
from services.chase import texts
from tests.factories import valid_uscc

TOKEN = "4242:bench-token"
TOWNS, GRIDS, CHUNK = 25, 500, 5_000
ADMIN_TG, FIRST_TG = 1, 1_000_000
GOAL_SECONDS = 3.0
UNMATCHED = 30


async def insert(session: AsyncSession, model: type[SQLModel], rows: list[dict[str, Any]]) -> None:
    table: Any = model.__table__  # type: ignore[attr-defined]
    for start in range(0, len(rows), CHUNK):
        await session.exec(sa.insert(table), params=rows[start : start + CHUNK])


async def populate(session: AsyncSession, enterprises: int) -> None:
    now = datetime.now(UTC)
    await insert(
        session, Grid, [{"id": 1, "level": GridLevel.CITY, "name": "基准市", "created_at": now}]
    )
    await insert(
        session,
        Grid,
        [
            {
                "id": 2 + t,
                "level": GridLevel.TOWN,
                "name": f"镇{t:02d}",
                "parent_id": 1,
                "created_at": now,
            }
            for t in range(TOWNS)
        ],
    )
    first_grid = 2 + TOWNS
    await insert(
        session,
        Grid,
        [
            {
                "id": first_grid + g,
                "level": GridLevel.GRID,
                "name": f"镇{g % TOWNS:02d}·工业网格{g:04d}",
                "parent_id": 2 + g % TOWNS,
                "industry": Industry.INDUSTRY,
                "seq": g,
                "cross_town": False,
                "created_at": now,
            }
            for g in range(GRIDS)
        ],
    )
    people = [
        {
            "id": 1 + i,
            "name": f"统计员{i}",
            "mobile": f"138{i:08d}",
            "active": True,
            "created_at": now,
        }
        for i in range(enterprises)
    ]
    admin_id = enterprises + 1
    people.append(
        {
            "id": admin_id,
            "name": "管理员",
            "mobile": "13900000000",
            "active": True,
            "created_at": now,
        }
    )
    await insert(session, Person, people)
    await insert(
        session,
        Assignment,
        [
            {
                "person_id": admin_id,
                "grid_id": 1,
                "role": Role.ADMIN,
                "explicit": True,
                "started_at": now,
            }
        ],
    )
    await insert(
        session,
        TelegramBinding,
        [
            {"person_id": p["id"], "telegram_user_id": FIRST_TG + p["id"], "bound_at": now}
            for p in people[:-1]
        ]
        + [{"person_id": admin_id, "telegram_user_id": ADMIN_TG, "bound_at": now}],
    )
    await insert(
        session,
        SurveyObject,
        [
            {
                "name": f"基准企业{i}有限公司",
                "uscc": valid_uscc(i),
                "industry": Industry.INDUSTRY,
                "scale": Scale.ABOVE_SCALE,
                "town_id": 2 + (i % GRIDS) % TOWNS,
                "grid_id": first_grid + i % GRIDS,
                "statistician_id": 1 + i,
                "created_at": now,
            }
            for i in range(enterprises)
        ],
    )


def export(rows: int, enterprises: int) -> tuple[bytes, int]:
    """The workbook, and how many distinct enterprises it chases."""
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("未报单位")
    sheet.append(["基准市2026年11月未上报及审核未通过单位名单"])
    sheet.append(
        [
            "统一社会信用代码",
            "单位详细名称",
            "表号",
            "报表名称",
            "报告期",
            "状态",
            "问题说明",
            "截止时间",
        ]
    )
    listed = (rows - UNMATCHED) * 2 // 3
    step = max(1, enterprises // listed)
    chosen = [i * step for i in range(listed)]
    written = 0
    for k, i in enumerate(chosen):
        forms = [("B204-1", "工业产销总值及主要产品产量", "审核未通过", "产值较上月下降超过30%")]
        if k % 2 == 0:
            forms.append(("E204-1", "能源购进、消费与库存", "未上报", ""))
        for code, name, status, problem in forms:
            if written < rows - UNMATCHED:
                sheet.append(
                    [
                        valid_uscc(i),
                        f"基准企业{i}有限公司",
                        code,
                        name,
                        "2026年11月",
                        status,
                        problem,
                        "2026-12-10",
                    ]
                )
                written += 1
    for u in range(rows - written):
        sheet.append(
            [
                valid_uscc(900_000_000 + u),
                f"不在册{u}",
                "B204-1",
                "",
                "2026年11月",
                "未上报",
                "",
                "2026-12-10",
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), len(chosen)


async def main(enterprises: int, rows: int, database_url: str | None) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        url = database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        engine = create_engine(url, tz=ZoneInfo("Asia/Shanghai"))
        await upgrade(engine)
        sessions = session_factory(engine)
        async with sessions() as session:
            if (await session.exec(select(func.count()).select_from(SurveyObject))).one():
                print("the database is not empty", file=sys.stderr)
                return 2
        started = time.perf_counter()
        async with transaction(sessions) as session:
            await populate(session, enterprises)
        print(f"city: {enterprises} enterprises in {time.perf_counter() - started:.1f} s")
        data, chased = export(rows, enterprises)
        try:
            async with BotApiEmulator(token=TOKEN) as emulator:
                emulator.user(ADMIN_TG)
                settings = load_settings(
                    token=TOKEN, database_url=url, api_base_url=emulator.base_url, quiet_hours=False
                )
                for person_id in range(1, enterprises + 1):
                    emulator.user(FIRST_TG + person_id)
                async with polling(build_application(settings), poll_timeout=1):
                    first = await send_and_confirm(emulator, data)
                    if first is None:
                        return 1
                    # The same export again, the same day: every item kept (a bulk update),
                    # nobody chased twice.
                    again = await send_and_confirm(emulator, data)
                    if again is None:
                        return 1
                async with sessions() as session:
                    queued = (
                        await session.exec(
                            select(func.count())
                            .select_from(OutboxMessage)
                            .where(OutboxMessage.kind == "chase")
                        )
                    ).one()
        finally:
            await engine.dispose()
    print(f"export: {rows} rows, {chased} enterprises chased, {UNMATCHED} not on the roster")
    for label, (preview, confirm, result) in (("first import", first), ("re-import", again)):
        print(f"{label}: document -> preview {preview:.2f} s, [确认催报] -> result {confirm:.2f} s")
        total = preview + confirm
        print(f"  document -> all messages queued: {total:.2f} s (goal < {GOAL_SECONDS:.0f} s)")
        print(f"  {result}")
    print(f"chase messages queued: {queued} (one per statistician; expected {chased})")
    return 0 if first[0] + first[1] < GOAL_SECONDS and queued == chased else 1


async def send_and_confirm(
    emulator: BotApiEmulator, data: bytes
) -> tuple[float, float, str] | None:
    """Seconds from the document to the preview, from [确认催报] to the result; its counts."""
    mark = emulator.checkpoint()
    sent = time.perf_counter()
    await emulator.send_document(ADMIN_TG, "未报名单.xlsx", data)
    preview = await emulator.wait_for_message(ADMIN_TG, after=mark, timeout=60)
    previewed = time.perf_counter()
    if "催报名单预览" not in (preview.text or ""):
        print(f"no preview: {preview.text}", file=sys.stderr)
        return None
    mark = emulator.checkpoint()
    pressed = time.perf_counter()
    await emulator.press_button(ADMIN_TG, preview.message_id, preview.callback_data(texts.CONFIRM))
    result = await emulator.wait_for_message(
        ADMIN_TG, lambda m: "催报已确认" in (m.text or ""), after=mark, timeout=60
    )
    confirmed = time.perf_counter()
    return previewed - sent, confirmed - pressed, (result.text or "").splitlines()[1]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--enterprises", type=int, default=10_000)
    parser.add_argument("--rows", type=int, default=3_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.enterprises, args.rows, args.database_url)))
