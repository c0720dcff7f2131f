"""Benchmark: a 10,000-enterprise roster sent to the bot as a document, from the upload to the
preview with [确认导入] (goal: under 5 s), then from [确认导入] to the import's reply.

    uv run python bench/roster_upload.py [--enterprises 10000] [--towns 30] [--database-url URL]

The real Application long-polls the Bot API emulator in this process; an admin bound directly
in the database sends the workbook (getFile and the file download go through the emulator).
Prints the file size and both times.
"""

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.app import build_application
from bot.runner import polling
from core.settings import load_settings
from emulator import BotApiEmulator
from knowledge.base import KnowledgeBase
from models.db import create_engine, session_factory
from models.enums import GridLevel, Role
from models.migrate import upgrade
from models.tables import Assignment, Grid, Person, TelegramBinding
from services.demo_data.roster import build_demo_roster
from services.roster_import import texts

TOKEN = "4242:bench-token"
ADMIN = 9001
GOAL_SECONDS = 5.0


async def main(enterprises: int, towns: int, database_url: str | None) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        roster = build_demo_roster(
            directory / "roster.xlsx", towns=towns, enterprises=enterprises, seed=1
        )
        data = roster.path.read_bytes()
        url = database_url or f"sqlite+aiosqlite:///{directory / 'bench.db'}"
        engine = create_engine(url, tz=ZoneInfo("Asia/Shanghai"))
        await upgrade(engine)
        sessions = session_factory(engine)
        async with sessions() as session, session.begin():
            city = Grid(level=GridLevel.CITY, name="乐清市")
            admin = Person(name="金管理", mobile="13900000001")
            session.add_all([city, admin])
            await session.flush()
            assert city.id is not None
            assert admin.id is not None
            session.add(Assignment(person_id=admin.id, grid_id=city.id, role=Role.ADMIN))
            session.add(TelegramBinding(person_id=admin.id, telegram_user_id=ADMIN))
        await engine.dispose()

        async with BotApiEmulator(token=TOKEN, bot_username="bench_bot") as emulator:
            settings = load_settings(
                token=TOKEN,
                database_url=url,
                api_base_url=emulator.base_url,
                quiet_hours=False,
                duty_first_run_seconds=24 * 3600,
            )
            application = build_application(settings, knowledge=KnowledgeBase.load())
            async with polling(application, poll_timeout=1):
                emulator.user(ADMIN, first_name="金管理")
                started = time.perf_counter()
                await emulator.send_document(ADMIN, "花名册.xlsx", data)
                preview = await emulator.wait_for_message(
                    ADMIN, lambda m: bool(m.buttons), timeout=120
                )
                previewed = time.perf_counter() - started
                mark = emulator.checkpoint()
                started = time.perf_counter()
                await emulator.press_button(
                    ADMIN, preview.message_id, preview.callback_data(texts.CONFIRM)
                )
                done = await emulator.wait_for_message(
                    ADMIN, lambda m: "花名册已导入" in (m.text or ""), timeout=120, after=mark
                )
                imported = time.perf_counter() - started

    print(f"database: {url.split(':', 1)[0]}")
    print(f"roster: {enterprises} enterprises, {towns} towns, {len(data) / 1024:.0f} KiB .xlsx")
    print(f"upload -> preview:  {previewed:6.2f} s  (goal < {GOAL_SECONDS:.0f} s)")
    print(f"confirm -> imported:{imported:6.2f} s")
    print((preview.text or "").splitlines()[3])
    print((done.text or "").splitlines()[0])
    return 0 if previewed < GOAL_SECONDS else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--enterprises", type=int, default=10_000)
    parser.add_argument("--towns", type=int, default=30)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.enterprises, args.towns, args.database_url)))
