"""People added to the small city for the question rules' tests."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import Role
from models.tables import Assignment, Person, TelegramBinding
from services.access import Viewer
from services.onboarding import viewers_for
from tests.conftest import SmallCity

SHANGHAI = ZoneInfo("Asia/Shanghai")


FILED = datetime(2025, 11, 14, 2, 0, tzinfo=UTC)  # Friday 10:00 in Shanghai


async def viewer(session: AsyncSession, city: SmallCity, key: str) -> Viewer:
    return (await viewers_for(session=session, persons=[city.people[key]]))[city.person_id(key)]


async def staff(
    session: AsyncSession, city: SmallCity, key: str, grid: str, role: Role, *, bound: int | None
) -> None:
    person = Person(name=key, mobile=f"1370000{len(city.people):04d}")
    session.add(person)
    await session.flush()
    assert person.id is not None
    city.people[key] = person
    grid_id = city.grids[grid].id
    assert grid_id is not None
    session.add(Assignment(person_id=person.id, grid_id=grid_id, role=role))
    if bound is not None:
        session.add(TelegramBinding(person_id=person.id, telegram_user_id=bound))
    await session.flush()


async def bind(session: AsyncSession, city: SmallCity, key: str, telegram_id: int) -> None:
    session.add(TelegramBinding(person_id=city.person_id(key), telegram_user_id=telegram_id))
    await session.flush()
