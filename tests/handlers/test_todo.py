"""/todo gathers the user's open items from notices, activities and questions."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from emulator import BotApiEmulator
from models.db import transaction
from models.enums import ActivityKind
from models.tables import StudyRecord
from services.activities import publish
from services.notices.drafts import Audience, Draft, ScopeKind
from services.notices.sending import send_notice
from services.onboarding import load_viewer
from services.questions import filing
from tests.conftest import SmallCity
from tests.handlers.chat import bind, command

MEMBER_TG, INSTRUCTOR_TG, OTHER_TG = 8801, 8802, 8803

pytestmark = pytest.mark.usefixtures("bot_app")


async def test_todo_lists_open_items_of_each_feature_and_nothing_else(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await bind(emulator, small_city, "member", MEMBER_TG)
    await bind(emulator, small_city, "instructor", INSTRUCTOR_TG)
    await bind(emulator, small_city, "other_member", OTHER_TG)
    # Both members have done this year's continuing education (in Q4 a shortfall is listed).
    async with transaction(sessions) as session:
        for key in ("member", "other_member"):
            session.add(
                StudyRecord(
                    person_id=small_city.person_id(key),
                    studied_on=datetime.now(ZoneInfo("Asia/Shanghai")).date(),
                    topic="统计法培训",
                    hours=24,
                    source="self",
                )
            )

    empty = await command(emulator, MEMBER_TG, "/todo")
    assert "暂无待办事项" in (empty.text or "")

    now = datetime.now(UTC)
    grid_id = small_city.grids["虹桥镇网格"].id
    assert grid_id is not None
    async with transaction(sessions) as session:
        instructor = await load_viewer(session=session, telegram_user_id=INSTRUCTOR_TG)
        member = await load_viewer(session=session, telegram_user_id=MEMBER_TG)
        assert instructor is not None
        assert member is not None
        await send_notice(
            session=session,
            viewer=instructor,
            sender_name=instructor.name,
            draft=Draft(
                text="请于本月10日前完成联网直报",
                scope_kind=ScopeKind.GRID,
                scope_id=grid_id,
                audience=Audience.ALL,
            ),
            now=now,
        )
        await publish.publish_activity(
            session=session,
            viewer=instructor,
            draft=publish.ActivityDraft(
                kind=ActivityKind.STUDY,
                title="统计法学习会",
                starts_at=now + timedelta(days=2),
                ends_at=now + timedelta(days=2, hours=2),
                place="镇政府会议室",
                grid_ids=[grid_id],
            ),
            now=now,
            tz=ZoneInfo("Asia/Shanghai"),
        )
        await filing.file_question(
            session=session, viewer=member, text="研发费用加计扣除的统计口径是什么", now=now
        )

    mine = await command(emulator, MEMBER_TG, "/todo")
    text = mine.text or ""
    assert "请于本月10日前完成联网直报" in text
    assert "统计法学习会" in text
    assert "研发费用加计扣除" in text
    # Sections come in a fixed order: notices, activities, questions.
    assert text.index("联网直报") < text.index("统计法学习会") < text.index("研发费用")

    waiting = await command(emulator, INSTRUCTOR_TG, "/todo")
    assert "研发费用加计扣除" in (waiting.text or "")

    # Someone of another grid has none of it.
    other = await command(emulator, OTHER_TG, "/todo")
    assert "暂无待办事项" in (other.text or "")
