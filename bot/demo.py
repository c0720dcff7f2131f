"""`gridbot demo`: a demo city, the emulator, the real bot, and a console chat.

Everything runs in one process on a fresh SQLite file: nothing reaches Telegram.
You pick a demo person, the console follows their personal invitation link for them,
and then you talk to the bot as that person.
"""

import asyncio
import logging
import shutil
from datetime import UTC, datetime
from pathlib import Path

from bot.app import build_application
from bot.runner import polling
from core.buttons import deep_link
from core.settings import load_settings
from emulator import BotApiEmulator
from emulator.console import ConsoleChat, Player
from models import people
from models.db import create_engine, session_factory, transaction
from models.migrate import upgrade
from services.demo_data.roster import DemoPerson, DemoRoster, build_demo_roster
from services.grids.partition.run import partition
from services.onboarding import issue_invites
from services.roster_import import import_roster

DEMO_TOKEN = "1000001:gridbot-demo-token"
DEMO_BOT_USERNAME = "gridbot_demo_bot"
# Telegram user ids of demo people: an offset keeps them apart from person ids.
TELEGRAM_ID_OFFSET = 900_000_000


def player(person: DemoPerson, *, telegram_id: int, invite_token: str) -> Player:
    """The console's view of a demo person, who binds with their own invitation."""
    town = f" · {person.town}" if person.town else ""
    return Player(
        label=f"{person.name}（{'、'.join(person.roles)}{town}）",
        first_name=person.name,
        telegram_id=telegram_id,
        start_payload=invite_token,
    )


def pick_cast(everyone: list[DemoPerson]) -> list[DemoPerson]:
    """One demo person per role, in the order a newcomer would want to try them."""
    wanted = ["网格员", "副网格长", "网格指导员", "网格长", "分管负责人", "二级网格长", "管理员"]
    cast: list[DemoPerson] = []
    for role in wanted:
        # Prefer someone who holds just this role, so that each pick shows one view.
        candidates = sorted(
            (p for p in everyone if role in p.roles and p not in cast), key=lambda p: len(p.roles)
        )
        if candidates:
            cast.append(candidates[0])
    return cast


def fresh_roster(directory: Path, *, towns: int, enterprises: int) -> DemoRoster:
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    return build_demo_roster(directory / "演示花名册.xlsx", towns=towns, enterprises=enterprises)


async def prepare_city(
    directory: Path, *, enterprises: int, towns: int
) -> tuple[str, list[Player]]:
    """Build the demo database from scratch and return its URL and the playable cast."""
    roster = await asyncio.to_thread(fresh_roster, directory, towns=towns, enterprises=enterprises)
    database_url = f"sqlite+aiosqlite:///{directory / 'gridbot-demo.db'}"
    settings = load_settings(database_url=database_url)
    engine = create_engine(database_url)
    try:
        await upgrade(engine)
        sessions = session_factory(engine)
        async with sessions() as session:
            report = await import_roster(
                session=session, paths=[roster.path], city_name=settings.city_name
            )
        if not report.ok:
            raise RuntimeError(f"demo roster did not import: {report.errors[:3]}")
        async with sessions() as session:
            await partition(session=session)
        cast = pick_cast(roster.people)
        players: list[Player] = []
        async with transaction(sessions) as session:
            for demo_person in cast:
                person = await people.person_by_mobile(session=session, mobile=demo_person.mobile)
                assert person is not None
                assert person.id is not None
                [invite] = await issue_invites(
                    session=session,
                    persons=[person],
                    ttl=settings.invite_ttl,
                    now=datetime.now(UTC),
                )
                players.append(
                    player(
                        demo_person,
                        telegram_id=TELEGRAM_ID_OFFSET + person.id,
                        invite_token=invite.token,
                    )
                )
    finally:
        await engine.dispose()
    print(
        f"演示城市已生成：{len(roster.towns)} 个乡镇（街道）、{roster.enterprise_count} 家企业，"
        f"数据在 {directory}/"
    )
    return database_url, players


async def run_demo(*, directory: Path, enterprises: int, towns: int) -> int:
    logging.basicConfig(level=logging.WARNING)
    database_url, cast = await prepare_city(directory, enterprises=enterprises, towns=towns)
    async with BotApiEmulator(token=DEMO_TOKEN, bot_username=DEMO_BOT_USERNAME) as emulator:
        # The demo is tried at any hour: quiet hours would hold its notices until morning.
        settings = load_settings(
            token=DEMO_TOKEN,
            database_url=database_url,
            api_base_url=emulator.base_url,
            quiet_hours=False,
        )
        print(f"本地 Bot API 模拟器：{emulator.base_url}（不连接 Telegram）\n")
        async with polling(build_application(settings), poll_timeout=1):
            # The token stays hidden: the console follows the link on the player's behalf.
            invite_link = deep_link(DEMO_BOT_USERNAME, "…")
            await ConsoleChat(emulator, cast, invite_link=invite_link).loop()
    print("再见！")
    return 0
