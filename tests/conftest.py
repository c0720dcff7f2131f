"""Shared fixtures: a real, migrated database per test (SQLite by default, PostgreSQL when
GRIDBOT_TEST_DATABASE_URL points at one), a small roster of two towns, and the real
Application long-polling our loopback Bot API emulator."""

import asyncio
import os
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from hypothesis import settings as hypothesis_settings
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

import models.tables  # noqa: F401  (registers the tables)
from bot.app import build_application
from bot.runner import polling
from core.settings import load_settings
from emulator import BotApiEmulator
from handlers.context import GridApplication
from knowledge.base import KnowledgeBase
from models.db import create_engine, session_factory
from models.enums import GridLevel, Industry, Role, Scale
from models.migrate import upgrade
from models.tables import Assignment, Grid, Person, SurveyObject
from services.onboarding import issue_invites
from tests.factories import valid_uscc

# Property tests run the same examples on every run (CI must not fail on a new random draw)
# and without a per-example deadline (a loaded CI machine is slow, not wrong).
hypothesis_settings.register_profile("gridbot", derandomize=True, deadline=None)
hypothesis_settings.load_profile("gridbot")

TEST_DATABASE_URL = os.environ.get("GRIDBOT_TEST_DATABASE_URL", "")
# The city's time zone, as the settings default to.
TZ = ZoneInfo("Asia/Shanghai")

# Quiet hours would hold outbox messages whenever the suite runs at night: off for every
# Settings the tests build (and the subprocesses they start); quiet-hours tests pass their own.
os.environ.setdefault("GRIDBOT_QUIET_HOURS", "false")


async def _migrate(url: str, *, reset_schema: bool) -> None:
    engine = create_engine(url, tz=TZ)
    if reset_schema:
        async with engine.begin() as conn:
            await conn.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
            await conn.execute(sa.text("CREATE SCHEMA public"))
    await upgrade(engine)
    await engine.dispose()


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Run the real migrations once per test session; tests then start from a copy."""
    if TEST_DATABASE_URL.startswith("postgresql"):
        asyncio.run(_migrate(TEST_DATABASE_URL, reset_schema=True))
        return TEST_DATABASE_URL
    template = tmp_path_factory.mktemp("db") / "template.db"
    asyncio.run(_migrate(f"sqlite+aiosqlite:///{template}", reset_schema=False))
    return str(template)


@pytest.fixture
def database_url(migrated_template: str, tmp_path: Path) -> str:
    if migrated_template.startswith("postgresql"):
        return migrated_template
    target = tmp_path / "gridbot.db"
    shutil.copyfile(migrated_template, target)
    return f"sqlite+aiosqlite:///{target}"


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url, tz=TZ)
    if engine.dialect.name == "postgresql":
        tables = ", ".join(t.name for t in SQLModel.metadata.sorted_tables)
        async with engine.begin() as conn:
            await conn.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield engine
    await engine.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return session_factory(engine)


@pytest.fixture
async def session(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    async with sessions() as session:
        yield session


@dataclass
class SmallCity:
    """Two towns with one level-3 grid each and a person for every role."""

    people: dict[str, Person] = field(default_factory=dict)
    grids: dict[str, Grid] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    def person_id(self, key: str) -> int:
        person_id = self.people[key].id
        assert person_id is not None
        return person_id


@pytest.fixture
async def small_city(sessions: async_sessionmaker[AsyncSession]) -> SmallCity:
    city = SmallCity()
    async with sessions() as session, session.begin():
        root = Grid(level=GridLevel.CITY, name="乐清市")
        session.add(root)
        await session.flush()
        for town_name in ("虹桥镇", "柳市镇"):
            town = Grid(level=GridLevel.TOWN, name=town_name, parent_id=root.id)
            session.add(town)
            await session.flush()
            grid = Grid(
                level=GridLevel.GRID,
                name=f"{town_name}·工业网格1",
                parent_id=town.id,
                industry=Industry.INDUSTRY,
                seq=1,
            )
            session.add(grid)
            city.grids[town_name] = town
            city.grids[f"{town_name}网格"] = grid
        await session.flush()
        people = {
            "admin": ("金管理", "13900000001"),
            "town_head": ("虹桥镇长", "13900000002"),
            "other_town_head": ("柳市镇长", "13900000003"),
            "grid_head": ("王网格长", "13900000004"),
            "instructor": ("李指导员", "13900000005"),
            "member": ("陈统计", "13812345678"),
            "other_member": ("周统计", "13900000007"),
        }
        for key, (name, mobile) in people.items():
            person = Person(name=name, mobile=mobile)
            session.add(person)
            city.people[key] = person
        await session.flush()
        hongqiao, liushi = city.grids["虹桥镇"], city.grids["柳市镇"]
        hq_grid, ls_grid = city.grids["虹桥镇网格"], city.grids["柳市镇网格"]
        posts = [
            ("admin", root, Role.ADMIN),
            ("town_head", hongqiao, Role.TOWN_HEAD),
            ("other_town_head", liushi, Role.TOWN_HEAD),
            ("grid_head", hq_grid, Role.GRID_HEAD),
            ("instructor", hq_grid, Role.INSTRUCTOR),
        ]
        for key, grid, role in posts:
            assert grid.id is not None
            session.add(Assignment(person_id=city.person_id(key), grid_id=grid.id, role=role))
        enterprises = [
            ("乐清市虹桥电气有限公司", valid_uscc(1), hq_grid, "member"),
            ("乐清市虹桥开关厂", valid_uscc(2), hq_grid, "member"),
            ("乐清市柳市仪表有限公司", valid_uscc(3), ls_grid, "other_member"),
        ]
        for name, uscc, grid, keeper in enterprises:
            assert grid.id is not None
            assert grid.parent_id is not None
            session.add(
                SurveyObject(
                    name=name,
                    uscc=uscc,
                    industry=Industry.INDUSTRY,
                    scale=Scale.ABOVE_SCALE,
                    town_id=grid.parent_id,
                    grid_id=grid.id,
                    statistician_id=city.person_id(keeper),
                )
            )
        issued = await issue_invites(
            session=session,
            persons=list(city.people.values()),
            ttl=timedelta(days=30),
            now=datetime.now(UTC),
        )
        for invite in issued:
            key = next(k for k, p in city.people.items() if p.id == invite.person.id)
            city.tokens[key] = invite.token
    return city


TOKEN = "4242:test-token"
BOT_USERNAME = "gridbot_test_bot"


@pytest.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator(token=TOKEN, bot_username=BOT_USERNAME) as emu:
        yield emu


@pytest.fixture(scope="session")
def knowledge() -> KnowledgeBase:
    """The shipped knowledge base, loaded once: loading segments every entry."""
    return KnowledgeBase.load()


@pytest.fixture
def bot_settings() -> dict[str, object]:
    """Settings a test module wants the bot to run with (override this fixture)."""
    return {}


@pytest.fixture
async def bot_app(
    emulator: BotApiEmulator,
    database_url: str,
    engine: object,
    knowledge: KnowledgeBase,
    bot_settings: dict[str, object],
) -> AsyncIterator[GridApplication]:
    """The real Application, long-polling the emulator; `engine` ensures a clean database."""
    del engine
    settings = load_settings(
        token=TOKEN,
        database_url=database_url,
        api_base_url=emulator.base_url,
        # Tests never depend on the wall-clock hour, and the duty clock only runs when a test
        # runs its job: its first run is far beyond any test.
        quiet_hours=False,
        duty_first_run_seconds=24 * 3600,
        **bot_settings,
    )
    async with polling(build_application(settings, knowledge=knowledge), poll_timeout=1) as app:
        yield app
