"""A small city whose people are bound, and notices sent in it, for the notice rules' tests."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from core.settings import load_settings
from models.db import transaction
from services.access import Viewer
from services.notices.drafts import Audience, Draft, ScopeKind
from services.notices.sending import send_notice
from services.onboarding import viewers_for
from tests.conftest import SmallCity

Sessions = async_sessionmaker[AsyncSession]
NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
TZ = ZoneInfo("Asia/Shanghai")
SETTINGS = load_settings()
CHATS = {"member": 7001, "grid_head": 7002, "other_member": 7003, "instructor": 7004}


async def viewer(session: AsyncSession, city: SmallCity, key: str) -> Viewer:
    person = city.people[key]
    return (await viewers_for(session=session, persons=[person]))[city.person_id(key)]


def grid_draft(city: SmallCity, audience: Audience = Audience.ALL) -> Draft:
    return Draft(
        text="请于5日前报送月报",
        scope_kind=ScopeKind.GRID,
        scope_id=city.grids["虹桥镇网格"].id,
        audience=audience,
    )


async def send(sessions: Sessions, city: SmallCity, key: str, draft: Draft) -> int:
    async with transaction(sessions) as session:
        sender = await viewer(session, city, key)
        notice = await send_notice(
            session=session, viewer=sender, sender_name=sender.name, draft=draft, now=NOW
        )
    assert notice.id is not None
    return notice.id
