"""[再提醒] is limited to once in any hour (not once per clock hour), and claimed."""

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import GridLevel, Role
from models.tables import SurveyObject, TelegramBinding
from services.access import Post, Viewer
from services.chase.board import RemindOutcome, remind_again
from tests.conftest import SmallCity
from tests.factories import valid_uscc
from tests.services.chase.test_chase_workdays import import_at

TZ = ZoneInfo("Asia/Shanghai")


async def test_remind_again_once_in_any_hour(
    sessions: async_sessionmaker[AsyncSession], small_city: SmallCity
) -> None:
    async with sessions() as session, session.begin():
        session.add(TelegramBinding(person_id=small_city.person_id("member"), telegram_user_id=77))
    await import_at(sessions, "2026-12-03T09:00")
    city = small_city.grids["虹桥镇"].parent_id
    assert city is not None
    admin = Viewer(
        small_city.person_id("admin"),
        "金管理",
        (Post(Role.ADMIN, city, "乐清市", GridLevel.CITY, None, None),),
    )
    async with sessions() as session:
        found = await session.exec(select(SurveyObject).where(SurveyObject.uscc == valid_uscc(1)))
        object_id = found.one().id
    assert object_id is not None

    async def remind(moment: str) -> RemindOutcome:
        async with sessions() as session:
            outcome, _name = await remind_again(
                session=session,
                viewer=admin,
                object_id=object_id,
                period="2026-11",
                now=datetime.fromisoformat(moment).replace(tzinfo=TZ),
                tz=TZ,
            )
            await session.commit()
        return outcome

    assert await remind("2026-12-03T10:59") is RemindOutcome.SENT
    assert await remind("2026-12-03T11:00") is RemindOutcome.TOO_SOON
    assert await remind("2026-12-03T11:58") is RemindOutcome.TOO_SOON
    assert await remind("2026-12-03T12:00") is RemindOutcome.SENT
