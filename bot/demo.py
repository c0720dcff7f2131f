"""`gridbot demo --console`: a demo city, the emulator, the real bot, and a console chat
(the browser sandbox, `gridbot demo`, is bot.sandbox; it builds the same city here).

Everything runs in one process on a fresh SQLite file: nothing reaches Telegram.
You pick a demo person, the console follows their personal invitation link for them,
and then you talk to the bot as that person.
"""

import asyncio
import logging
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

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


ROSTER_FILE = "演示花名册.xlsx"
DATABASE_FILE = "gridbot-demo.db"
# What the city was built with: a reopened demo must be the same city.
SIZE_FILE = "demo-size.txt"


def fresh_roster(directory: Path, *, towns: int, enterprises: int) -> DemoRoster:
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    (directory / SIZE_FILE).write_text(f"{towns} {enterprises}\n", encoding="utf-8")
    return build_demo_roster(directory / ROSTER_FILE, towns=towns, enterprises=enterprises)


def can_reopen(directory: Path, *, towns: int, enterprises: int) -> bool:
    """Whether `directory` holds a demo city of this size to carry on with."""
    size = directory / SIZE_FILE
    return (
        (directory / DATABASE_FILE).is_file()
        and size.is_file()
        and size.read_text(encoding="utf-8").split() == [str(towns), str(enterprises)]
    )


@dataclass(frozen=True)
class DemoCity:
    database_url: str
    cast: list[Player]
    # Telegram ids of the cast who followed their invitation already (a reopened city).
    bound: set[int]
    reopened: bool


async def prepare_city(
    directory: Path, *, enterprises: int, towns: int, reset: bool = False
) -> DemoCity:
    """The demo city: the one in `directory` as it was left (unless `reset`, or it was built
    with another size), else built from scratch; and its playable cast."""
    reopened = not reset and can_reopen(directory, towns=towns, enterprises=enterprises)
    if reopened:
        # The same seed and size give the same roster: only the cast is read from it.
        roster = await asyncio.to_thread(
            build_demo_roster, directory / ROSTER_FILE, towns=towns, enterprises=enterprises
        )
    else:
        roster = await asyncio.to_thread(
            fresh_roster, directory, towns=towns, enterprises=enterprises
        )
    database_url = f"sqlite+aiosqlite:///{directory / DATABASE_FILE}"
    settings = load_settings(database_url=database_url)
    engine = create_engine(database_url, tz=settings.tz)
    try:
        await upgrade(engine)
        sessions = session_factory(engine)
        if not reopened:
            async with sessions() as session:
                report = await import_roster(
                    session=session, paths=[roster.path], city_name=settings.city_name
                )
            if not report.ok:
                raise RuntimeError(f"demo roster did not import: {report.errors[:3]}")
            async with sessions() as session:
                await partition(session=session)
        players, bound = await _cast(sessions, roster, settings.invite_ttl)
    finally:
        await engine.dispose()
    if reopened:
        print(f"已打开上次的演示城市（{directory}/，保留之前的操作；加 --reset 重新生成）")
    else:
        size = f"{len(roster.towns)} 个乡镇（街道）、{roster.enterprise_count} 家企业"
        print(f"演示城市已生成：{size}，数据在 {directory}/")
    return DemoCity(database_url, players, bound, reopened)


async def _cast(
    sessions: async_sessionmaker[AsyncSession], roster: DemoRoster, ttl: timedelta
) -> tuple[list[Player], set[int]]:
    """The playable people, each with a fresh invitation, and who of them is bound already."""
    players: list[Player] = []
    bound: set[int] = set()
    async with transaction(sessions) as session:
        for demo_person in pick_cast(roster.people):
            person = await people.person_by_mobile(session=session, mobile=demo_person.mobile)
            assert person is not None
            assert person.id is not None
            telegram_id = TELEGRAM_ID_OFFSET + person.id
            if (await people.live_telegram_ids(session=session, person_ids=[person.id])).get(
                person.id
            ) == telegram_id:
                bound.add(telegram_id)
            [invite] = await issue_invites(
                session=session, persons=[person], ttl=ttl, now=datetime.now(UTC)
            )
            players.append(player(demo_person, telegram_id=telegram_id, invite_token=invite.token))
    return players, bound


def log_to_file(log_file: Path) -> None:
    """The bot's and the libraries' log lines (and warnings) go to a file, never over the
    prompt or the sandbox's own lines."""
    logging.basicConfig(
        filename=log_file,
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        force=True,
    )
    logging.captureWarnings(True)
    logging.getLogger("httpx").setLevel(logging.WARNING)


async def run_demo(*, directory: Path, enterprises: int, towns: int, reset: bool = False) -> int:
    city = await prepare_city(directory, enterprises=enterprises, towns=towns, reset=reset)
    log_file = directory / "demo.log"
    log_to_file(log_file)
    async with BotApiEmulator(token=DEMO_TOKEN, bot_username=DEMO_BOT_USERNAME) as emulator:
        # The demo is tried at any hour: quiet hours would hold its notices until morning.
        settings = load_settings(
            token=DEMO_TOKEN,
            database_url=city.database_url,
            api_base_url=emulator.base_url,
            quiet_hours=False,
        )
        print(f"本地 Bot API 模拟器：{emulator.base_url}（不连接 Telegram）")
        print(f"运行日志：{log_file}；机器人发送的图片和文件保存在 {directory / 'files'}/\n")
        async with polling(build_application(settings), poll_timeout=1):
            # The token stays hidden: the console follows the link on the player's behalf.
            invite_link = deep_link(DEMO_BOT_USERNAME, "…")
            await ConsoleChat(
                emulator,
                city.cast,
                invite_link=invite_link,
                files_dir=directory / "files",
                bound=city.bound,
            ).loop()
    print("再见！")
    return 0
