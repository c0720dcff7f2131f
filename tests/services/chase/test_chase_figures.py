"""The 催报 figures in the scorecards: per grid, per town and for the city, resolved and
timely counted once (models/scorecards/chase.py), shown by /stats."""

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from services.chase.applying import confirm_import
from services.chase.preview import prepare_import
from services.duties.config import load_duties
from services.duties.status import CITY
from services.oversight.periods import parse_period
from services.oversight.scorecard import scorecard
from services.oversight.stats import render
from tests.conftest import SmallCity
from tests.factories import valid_uscc
from tests.handlers.chase.chase_support import EXAMPLE, xlsx
from tests.services.chase.test_chase_workdays import SEND_TIME

TZ = ZoneInfo("Asia/Shanghai")


async def apply(sessions: async_sessionmaker[AsyncSession], data: bytes, moment: datetime) -> None:
    async with sessions() as session:
        preview = await prepare_import(
            session=session,
            file_name="x.xlsx",
            data=data,
            period="2026-11",
            viewer=None,
            now=moment,
            tz=TZ,
        )
        assert preview.import_id is not None
        await confirm_import(
            session=session,
            import_id=preview.import_id,
            viewer=None,
            now=moment,
            tz=TZ,
            send_time=SEND_TIME,
        )
        await session.commit()


async def test_resolved_and_timely_per_grid_town_and_city(
    sessions: async_sessionmaker[AsyncSession], small_city: SmallCity
) -> None:
    del small_city
    await apply(sessions, EXAMPLE.read_bytes(), datetime(2026, 12, 3, 10, tzinfo=TZ))
    # A week later only the switch factory is still listed: 虹桥电气's two forms are resolved
    # before their deadline (10 December), 柳市仪表's after it.
    header = ["统一社会信用代码", "单位名称", "表号", "状态"]
    await apply(
        sessions,
        xlsx(
            [
                [valid_uscc(2), "开关厂", "B204-1 工业产销总值及主要产品产量", "查询未解释"],
                [valid_uscc(3), "仪表", "B204-1 工业产销总值及主要产品产量", "未上报"],
            ],
            header,
        ),
        datetime(2026, 12, 9, 10, tzinfo=TZ),
    )
    await apply(
        sessions,
        xlsx(
            [[valid_uscc(2), "开关厂", "B204-1 工业产销总值及主要产品产量", "查询未解释"]], header
        ),
        datetime(2026, 12, 14, 10, tzinfo=TZ),
    )
    async with sessions() as session:
        card = await scorecard(
            session=session,
            period=parse_period("2026-11"),
            now=datetime(2026, 12, 15, tzinfo=TZ),
            tz=TZ,
            duties=load_duties(),
        )
    grids = {g.grid_name: g.tally.chase for g in card.grids}
    hongqiao, liushi = grids["虹桥镇·工业网格1"], grids["柳市镇·工业网格1"]
    assert (hongqiao.items, hongqiao.resolved, hongqiao.timely, hongqiao.open) == (3, 2, 2, 1)
    assert (liushi.items, liushi.resolved, liushi.timely) == (1, 1, 0)
    assert (card.tally.chase.items, card.tally.chase.resolved, card.tally.chase.timely) == (4, 3, 2)
    assert card.tally.chase.resolution_rate == 0.75
    assert card.tally.chase.timely_rate == 0.5
    towns = {t.town_name: t.tally.chase.items for t in card.towns}
    assert towns == {"虹桥镇": 3, "柳市镇": 1}
    text = render(card, CITY, tz=TZ).text
    assert "催报 4 项：已销号 3（75%），按时完成 2（50%）" in text
