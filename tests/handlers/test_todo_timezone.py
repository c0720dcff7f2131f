"""/todo writes times in the bot's configured time zone (GRIDBOT_TIMEZONE), not Shanghai's."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from emulator import BotApiEmulator
from models.db import transaction
from models.enums import ActivityKind
from services.activities import publish
from services.notices.drafts import Audience, Draft, ScopeKind
from services.notices.sending import send_notice
from services.onboarding import load_viewer
from tests.conftest import SmallCity
from tests.handlers.chat import bind, command

MEMBER_TG, INSTRUCTOR_TG = 8811, 8812
TOKYO = ZoneInfo("Asia/Tokyo")

pytestmark = pytest.mark.usefixtures("bot_app")


@pytest.fixture
def bot_settings() -> dict[str, object]:
    return {"timezone": "Asia/Tokyo"}


async def test_todo_shows_times_in_the_configured_time_zone(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await bind(emulator, small_city, "member", MEMBER_TG)
    await bind(emulator, small_city, "instructor", INSTRUCTOR_TG)
    # 05:30 UTC is 14:30 in Tokyo and 13:30 in Shanghai.
    starts = (datetime.now(UTC) + timedelta(days=2)).replace(
        hour=5, minute=30, second=0, microsecond=0
    )
    grid_id = small_city.grids["虹桥镇网格"].id
    assert grid_id is not None
    async with transaction(sessions) as session:
        instructor = await load_viewer(session=session, telegram_user_id=INSTRUCTOR_TG)
        assert instructor is not None
        await publish.publish_activity(
            session=session,
            viewer=instructor,
            draft=publish.ActivityDraft(
                kind=ActivityKind.STUDY,
                title="统计法学习会",
                starts_at=starts,
                ends_at=starts + timedelta(hours=2),
                place="镇政府会议室",
                grid_ids=[grid_id],
            ),
            now=datetime.now(UTC),
            tz=TOKYO,
        )
        await send_notice(
            session=session,
            viewer=instructor,
            sender_name=instructor.name,
            draft=Draft(
                text="请按时报送月报",
                scope_kind=ScopeKind.GRID,
                scope_id=grid_id,
                audience=Audience.ALL,
            ),
            now=datetime.now(UTC),
        )

    text = (await command(emulator, MEMBER_TG, "/todo")).text or ""
    assert "14:30" in text
    assert "13:30" not in text
