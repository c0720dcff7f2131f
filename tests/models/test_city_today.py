"""The city's date in SQL (models.db.city_today): an enterprise leaves the grid at the start of
its 退出日期 in the city's time zone, whatever the database server's own date is (UTC on SQLite:
between 16:00 and 24:00 UTC Asia/Shanghai is already on the next day)."""

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.db import city_today, transaction
from models.enums import GridLevel, Industry, Scale
from models.tables import Grid, SurveyObject
from models.tables.roster import still_on_grid
from tests.conftest import TZ
from tests.factories import valid_uscc


async def test_the_database_today_is_the_citys(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session:
        before = datetime.now(TZ).date()
        today = (await session.exec(select(city_today()))).one()
        after = datetime.now(TZ).date()
    assert str(today) in (before.isoformat(), after.isoformat())


async def test_an_enterprise_leaving_today_is_off_the_grid_and_one_leaving_tomorrow_on_it(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    today = datetime.now(TZ).date()
    async with transaction(sessions) as session:
        town = Grid(level=GridLevel.TOWN, name="虹桥镇")
        session.add(town)
        await session.flush()
        assert town.id is not None
        for number, left_on in enumerate([today, today + timedelta(days=1), None], start=1):
            session.add(
                SurveyObject(
                    name=f"企业{number}",
                    uscc=valid_uscc(number),
                    industry=Industry.INDUSTRY,
                    scale=Scale.ABOVE_SCALE,
                    town_id=town.id,
                    left_on=left_on,
                )
            )
    async with sessions() as session:
        names = (await session.exec(select(SurveyObject.name).where(still_on_grid()))).all()
    assert sorted(names) == ["企业2", "企业3"]
