"""The funding ledger by the roster's dates: objects imported mid-year with and without 纳入日期,
objects leaving (退出日期, and removal in a re-import), rewards confirmed and not, the totals per
payer (乡镇（街道）承担 / 市财政承担) and for the city, every figure computed by hand here."""

import io
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.db import transaction
from models.enums import GridLevel, Industry
from models.tables import EvaluationResult, EvaluationRun, Grid, SurveyObject
from services.oversight.evaluation.config import EvaluationConfig
from services.oversight.funding import funding_ledger, funding_xlsx, ledger_lines, pro_rata
from services.roster_import import import_roster
from services.roster_import.report import format_errors
from services.roster_import.vocabulary import ENTERPRISE_DATE_HEADERS, ENTERPRISE_HEADERS
from tests.conftest import SmallCity
from tests.factories import enterprise, write_roster_csv, write_roster_xlsx

TZ = ZoneInfo("Asia/Shanghai")
CONFIG = EvaluationConfig()  # 500 yuan per object per year
DATED = ENTERPRISE_HEADERS + ENTERPRISE_DATE_HEADERS
CITY = "乐清市"


def test_pro_rata_from_joining_to_leaving() -> None:
    assert pro_rata(500, None, 2026) == (365, Decimal("500.00"))
    assert pro_rata(500, date(2025, 3, 1), 2026) == (365, Decimal("500.00"))
    # 1 July – 31 December: 184 days; 500 × 184 / 365 = 252.054… -> 252.05.
    assert pro_rata(500, date(2026, 7, 1), 2026) == (184, Decimal("252.05"))
    # 1 March – 30 September (left 1 October): 31+30+31+30+31+31+30 = 214 days -> 293.15.
    assert pro_rata(500, date(2026, 3, 1), 2026, date(2026, 10, 1)) == (214, Decimal("293.15"))
    # 1 January – 31 August (left 1 September): 243 days; 332.876… -> 332.88.
    assert pro_rata(500, None, 2026, date(2026, 9, 1)) == (243, Decimal("332.88"))
    # Left before the year, or joined after it: nothing.
    assert pro_rata(500, None, 2026, date(2026, 1, 1)) == (0, Decimal("0.00"))
    assert pro_rata(500, date(2027, 1, 1), 2026) == (0, Decimal("0.00"))
    # A leap year has 366 days: 500 × 184 / 366 = 251.366… -> 251.37.
    assert pro_rata(500, date(2024, 7, 1), 2024) == (184, Decimal("251.37"))


async def confirm_rewards(
    sessions: async_sessionmaker[AsyncSession], year: int, rewards: dict[str, int]
) -> None:
    """A confirmed run with these rewards per level-3 grid (named 镇·网格), made by hand so
    that the ledger is tested apart from how the evaluation scores."""
    async with transaction(sessions) as session:
        towns = {
            t.name: t
            for t in (await session.exec(select(Grid).where(Grid.level == GridLevel.TOWN)))
        }
        run = EvaluationRun(year=year, config={}, confirmed_by="市统计局")
        session.add(run)
        await session.flush()
        for name, reward in rewards.items():
            town = towns[name.split("·")[0]]
            grid = Grid(
                level=GridLevel.GRID,
                name=name,
                parent_id=town.id,
                industry=Industry.INDUSTRY,
                seq=1,
            )
            session.add(grid)
            await session.flush()
            assert grid.id is not None
            assert town.id is not None
            assert run.id is not None
            session.add(
                EvaluationResult(
                    run_id=run.id,
                    grid_id=grid.id,
                    grid_name=name,
                    town_id=town.id,
                    town_name=town.name,
                    score=90.0 if reward else 0.0,
                    grade="优秀" if reward else "不合格",
                    reward_yuan=reward,
                    components=[],
                )
            )


async def test_mid_year_roster_with_dates_leaving_and_rewards(
    tmp_path: Path, sessions: async_sessionmaker[AsyncSession]
) -> None:
    # The city loads its roster on 15 June 2026.
    first = write_roster_xlsx(
        tmp_path / "first.xlsx",
        enterprises=[
            enterprise(1, 纳入日期="2025-03-01"),  # on the grid all of 2026
            enterprise(2, 纳入日期="2026/7/1"),  # 184 days
            enterprise(3),  # no 纳入日期, first import: 1 January 2026
            enterprise(4, 乡镇街道="虹桥镇", 纳入日期="2026年3月1日", 退出日期="2026-10-01"),
            enterprise(5, 乡镇街道="虹桥镇", 纳入日期="2026-01-01"),
        ],
        enterprise_headers=DATED,
    )
    async with sessions() as session:
        report = await import_roster(
            session=session, paths=[first], city_name=CITY, today=date(2026, 6, 15)
        )
    assert report.ok, format_errors(report.errors)
    # On 1 September 柳市镇 sends its roster again: 3 has gone, 6 is new (joins that day).
    again = write_roster_csv(
        tmp_path / "liushi.csv",
        [enterprise(1), enterprise(2), enterprise(6)],
        ENTERPRISE_HEADERS,
    )
    async with sessions() as session:
        report = await import_roster(
            session=session, paths=[again], city_name=CITY, today=date(2026, 9, 1)
        )
    assert report.ok, format_errors(report.errors)
    assert report.enterprises_removed == 1

    async with sessions() as session:
        ledger = await funding_ledger(session=session, year=2026, config=CONFIG, tz=TZ)
    towns = {t.town_name: t for t in ledger.towns}
    liushi, hongqiao = towns["柳市镇"], towns["虹桥镇"]
    # 柳市镇: 1 = 500; 2 = 252.05; 3, 1 January – 31 August = 332.88; 6, 1 September –
    # 31 December = 122 days, 500 × 122 / 365 = 167.123… = 167.12. Sum 1252.05.
    assert (liushi.objects, liushi.objects_joined, liushi.objects_left) == (4, 2, 1)
    assert liushi.object_yuan == Decimal("1252.05")
    # 虹桥镇: 4, 214 days = 293.15; 5 = 500. Sum 793.15.
    assert (hongqiao.objects, hongqiao.objects_joined, hongqiao.objects_left) == (2, 1, 1)
    assert hongqiao.object_yuan == Decimal("793.15")
    # Not confirmed yet: no rewards; the city pays nothing yet, the towns 2045.20.
    assert not ledger.rewards_confirmed
    assert (liushi.reward_yuan, hongqiao.reward_yuan) == (0, 0)
    assert (ledger.objects_total, ledger.object_yuan_total) == (6, Decimal("2045.20"))
    assert ledger.reward_yuan_total == 0
    days = {o.name: (o.days, o.yuan) for o in ledger.objects}
    assert days["乐清市测试6电气有限公司"] == (122, Decimal("167.12"))
    assert days["乐清市测试3电气有限公司"] == (243, Decimal("332.88"))

    await confirm_rewards(
        sessions, 2026, {"虹桥镇·工业网格1": 3000, "虹桥镇·工业网格2": 1500, "柳市镇·工业网格1": 0}
    )
    async with sessions() as session:
        ledger = await funding_ledger(session=session, year=2026, config=CONFIG, tz=TZ)
    towns = {t.town_name: t for t in ledger.towns}
    assert ledger.rewards_confirmed
    assert (towns["柳市镇"].reward_yuan, towns["虹桥镇"].reward_yuan) == (0, 4500)
    # The payers stay apart: activity funds unchanged by the rewards.
    assert towns["虹桥镇"].object_yuan == Decimal("793.15")
    assert (ledger.object_yuan_total, ledger.reward_yuan_total) == (Decimal("2045.20"), 4500)
    assert ledger_lines(ledger) == [
        "柳市镇：调查对象 4 个（年内纳入 2 个，年内退出 1 个）；"
        "活动经费 1252.05 元（乡镇（街道）承担）；确认奖励 0 元（市财政承担）",
        "虹桥镇：调查对象 2 个（年内纳入 1 个，年内退出 1 个）；"
        "活动经费 793.15 元（乡镇（街道）承担）；确认奖励 4500 元（市财政承担）",
        "全市合计：调查对象 6 个；活动经费 2045.20 元（乡镇（街道）承担）；"
        "确认奖励 4500 元（市财政承担）",
    ]

    book = openpyxl.load_workbook(io.BytesIO(funding_xlsx(ledger)))
    summary = book["经费汇总"]
    headers = [c.value for c in summary[1]]
    assert headers[4] == "活动经费（元，乡镇（街道）承担，500元/个/年）"
    assert headers[5] == "确认奖励（元，市财政承担）"
    assert "合计（元）" not in headers  # no column adding the two payers together
    assert [c.value for c in summary[2]] == ["柳市镇", 4, 2, 1, 1252.05, 0]
    assert [c.value for c in summary[3]] == ["虹桥镇", 2, 1, 1, 793.15, 4500]
    assert [c.value for c in summary[4]] == ["全市合计", 6, 3, 2, 2045.2, 4500]
    assert summary.max_row == 4
    notes = {row[0].value: row[1].value for row in book["说明"].iter_rows(min_row=2)}
    assert notes["全市合计·乡镇（街道）承担（元）"] == 2045.2
    assert notes["全市合计·市财政承担（元）"] == 4500
    detail = {row[1].value: row for row in book["调查对象明细"].iter_rows(min_row=2)}
    left = detail["乐清市测试4电气有限公司"]
    assert [c.value for c in left[2:]] == [
        datetime(2026, 3, 1),  # noqa: DTZ001 (Excel dates are naive)
        datetime(2026, 10, 1),  # noqa: DTZ001
        214,
        293.15,
    ]

    # 2025: only 1 (from 1 March, 306 days: 500 × 306 / 365 = 419.178… = 419.18).
    async with sessions() as session:
        last_year = await funding_ledger(session=session, year=2025, config=CONFIG, tz=TZ)
    assert [(t.town_name, t.objects, t.object_yuan) for t in last_year.towns] == [
        ("柳市镇", 1, Decimal("419.18"))
    ]
    assert last_year.object_yuan_total == Decimal("419.18")
    assert ledger_lines(last_year)[-1] == "2025 年度评定尚未确认，奖励未计入。"


async def test_first_import_without_dates_mid_year_funds_the_whole_year(
    tmp_path: Path, sessions: async_sessionmaker[AsyncSession]
) -> None:
    # The defect: 95 enterprises imported in June were each funded from the import day.
    roster = write_roster_csv(
        tmp_path / "roster.csv",
        [enterprise(n) for n in range(1, 4)] + [enterprise(4, 乡镇街道="虹桥镇")],
        ENTERPRISE_HEADERS,
    )
    async with sessions() as session:
        report = await import_roster(
            session=session, paths=[roster], city_name=CITY, today=date(2026, 6, 15)
        )
    assert report.ok, format_errors(report.errors)
    assert "按 2026-01-01 纳入（首次导入，默认为当年1月1日）" in report.summary()
    async with sessions() as session:
        ledger = await funding_ledger(session=session, year=2026, config=CONFIG, tz=TZ)
    assert [(t.town_name, t.objects, t.objects_joined, t.object_yuan) for t in ledger.towns] == [
        ("柳市镇", 3, 0, Decimal("1500.00")),
        ("虹桥镇", 1, 0, Decimal("500.00")),
    ]
    assert (ledger.object_yuan_total, ledger.reward_yuan_total) == (Decimal("2000.00"), 0)


async def test_first_import_mid_year_with_joined_on(
    tmp_path: Path, sessions: async_sessionmaker[AsyncSession]
) -> None:
    roster = write_roster_csv(
        tmp_path / "roster.csv", [enterprise(1), enterprise(2)], ENTERPRISE_HEADERS
    )
    async with sessions() as session:
        report = await import_roster(
            session=session,
            paths=[roster],
            city_name=CITY,
            joined_on=date(2026, 7, 1),
            today=date(2026, 7, 10),
        )
    assert "按 2026-07-01 纳入（导入时指定的 --joined-on）" in report.summary()
    async with sessions() as session:
        ledger = await funding_ledger(session=session, year=2026, config=CONFIG, tz=TZ)
    # 2 × 252.05.
    assert [(t.objects, t.objects_joined, t.object_yuan) for t in ledger.towns] == [
        (2, 2, Decimal("504.10"))
    ]


async def test_objects_stored_before_the_roster_had_dates(
    sessions: async_sessionmaker[AsyncSession], small_city: SmallCity
) -> None:
    # small_city's three objects have no 纳入日期, as rows stored before migration 0010.
    del small_city
    async with transaction(sessions) as session:
        for obj in (await session.exec(select(SurveyObject))).all():
            assert obj.joined_on is None
            obj.created_at = datetime(2026, 5, 1, tzinfo=UTC)
            session.add(obj)
    async with sessions() as session:
        ledger = await funding_ledger(session=session, year=2026, config=CONFIG, tz=TZ)
        before = await funding_ledger(session=session, year=2025, config=CONFIG, tz=TZ)
    assert [(t.town_name, t.objects, t.object_yuan) for t in ledger.towns] == [
        ("柳市镇", 1, Decimal("500.00")),
        ("虹桥镇", 2, Decimal("1000.00")),
    ]
    detail = openpyxl.load_workbook(io.BytesIO(funding_xlsx(ledger)))["调查对象明细"]
    assert {row[2].value for row in detail.iter_rows(min_row=2)} == {"未登记（按1月1日计）"}
    # Stored in 2026: not in the 2025 ledger, whose total is 0.
    assert before.towns == []
    assert before.object_yuan_total == Decimal("0.00")
