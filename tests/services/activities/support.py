"""Shared by the activities service tests: a fixed moment, viewers, accounts, an activity
published by the service, a check-in by code."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from core.settings import load_settings
from models.db import transaction
from models.enums import ActivityKind
from models.tables import Activity, Person, TelegramBinding
from services.access import Viewer
from services.activities.checkin import CheckinResult, check_in_by_code
from services.activities.publish import ActivityDraft, publish_activity
from services.limits import checkin_limits
from services.onboarding import viewers_for
from tests.conftest import SmallCity

TZ = ZoneInfo("Asia/Shanghai")
PERIOD = 60
# A fixed moment: Thursday 3 December 2026, 14:10 in Shanghai.
NOW = datetime(2026, 12, 3, 6, 10, tzinfo=UTC)
HONGQIAO_LAT, HONGQIAO_LON = 28.1530, 120.9650


async def viewer_of(session: AsyncSession, city: SmallCity, key: str) -> Viewer:
    person = await session.get(Person, city.person_id(key))
    assert person is not None
    return (await viewers_for(session=session, persons=[person]))[city.person_id(key)]


async def bind_accounts(sessions: async_sessionmaker[AsyncSession], city: SmallCity) -> None:
    """Give every roster person a Telegram account (9000 + person id)."""
    async with transaction(sessions) as session:
        for key in city.people:
            person_id = city.person_id(key)
            session.add(TelegramBinding(person_id=person_id, telegram_user_id=9000 + person_id))


async def publish(
    sessions: async_sessionmaker[AsyncSession],
    city: SmallCity,
    *,
    starts: datetime,
    ends: datetime,
    now: datetime = NOW,
    organiser: str = "grid_head",
    grid: str = "虹桥镇网格",
    located: bool = False,
) -> Activity:
    async with transaction(sessions) as session:
        draft = ActivityDraft(
            kind=ActivityKind.STUDY,
            title="统计法学习",
            starts_at=starts,
            ends_at=ends,
            place="虹桥镇政府三楼会议室",
            latitude=HONGQIAO_LAT if located else None,
            longitude=HONGQIAO_LON if located else None,
            grid_ids=[city.grids[grid].id or 0],
        )
        published = await publish_activity(
            session=session,
            viewer=await viewer_of(session, city, organiser),
            draft=draft,
            now=now,
            tz=TZ,
        )
    return published.activity


def local(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


def ongoing(now: datetime = NOW) -> dict[str, datetime]:
    return {"starts": now - timedelta(minutes=10), "ends": now + timedelta(hours=1)}


async def code_check_in(
    sessions: async_sessionmaker[AsyncSession],
    city: SmallCity,
    key: str,
    code: str,
    now: datetime = NOW,
) -> CheckinResult:
    async with transaction(sessions) as session:
        return await check_in_by_code(
            session=session,
            person_id=city.person_id(key),
            code=code,
            now=now,
            period_s=PERIOD,
            limits=checkin_limits(load_settings()),
        )
