"""The funding ledger (网格运行经费): each survey object's yearly amount, pro rata for objects
that joined during the year, plus the year's confirmed evaluation rewards, per town."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, tzinfo
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from sqlmodel.ext.asyncio.session import AsyncSession

from models import evaluation as queries
from services.oversight.evaluation.config import EvaluationConfig
from services.oversight.evaluation.evidence import year_bounds
from services.oversight.workbooks import workbook_bytes
from services.xlsx import write_sheet


@dataclass(frozen=True, slots=True)
class ObjectFunding:
    town_name: str
    name: str
    # The local day it joined when that was during the year; None: on the roster all year.
    joined_on: date | None
    days: int
    yuan: Decimal


@dataclass(frozen=True, slots=True)
class TownFunding:
    town_id: int
    town_name: str
    objects_full_year: int
    objects_joined: int
    object_yuan: Decimal
    reward_yuan: int

    @property
    def total_yuan(self) -> Decimal:
        return self.object_yuan + self.reward_yuan


@dataclass(frozen=True, slots=True)
class FundingLedger:
    year: int
    yuan_per_object: int
    # False: the year's evaluation is not confirmed, so no rewards are included yet.
    rewards_confirmed: bool
    towns: list[TownFunding]
    objects: list[ObjectFunding]


def pro_rata(yuan_per_year: int, joined_on: date | None, year: int) -> tuple[int, Decimal]:
    """(days funded, yuan) for an object: the whole year, or from the day it joined through
    31 December inclusive, yuan_per_year × days / days in the year, rounded half up to fen."""
    first, next_first = date(year, 1, 1), date(year + 1, 1, 1)
    year_days = (next_first - first).days
    days = year_days if joined_on is None or joined_on <= first else (next_first - joined_on).days
    amount = Decimal(yuan_per_year) * days / year_days
    return days, amount.quantize(Decimal("0.01"))


async def funding_ledger(
    *,
    session: AsyncSession,
    year: int,
    config: EvaluationConfig,
    tz: tzinfo,
) -> FundingLedger:
    """Per town: survey objects × yuan_per_object (pro rata for objects that joined during the
    year, by their roster date) plus the year's confirmed rewards."""
    start, end = year_bounds(year, tz)
    per_object = config.funding.yuan_per_object
    objects: list[ObjectFunding] = []
    towns: dict[int, dict[str, Any]] = {}
    for row in await queries.survey_objects_before(session=session, end=end):
        joined: date | None = row.created_at.astimezone(tz).date()
        if row.created_at < start or joined == date(year, 1, 1):
            # On the roster since the year began: funded for the whole year.
            joined = None
        days, yuan = pro_rata(per_object, joined, year)
        objects.append(ObjectFunding(row.town_name, row.name, joined, days, yuan))
        town = towns.setdefault(
            row.town_id, {"name": row.town_name, "full": 0, "joined": 0, "yuan": Decimal(0)}
        )
        town["full" if joined is None else "joined"] += 1
        town["yuan"] += yuan
    rewards: dict[int, int] = defaultdict(int)
    run = await queries.confirmed_run(session=session, year=year)
    if run is not None and run.id is not None:
        for result in await queries.run_results(session=session, run_id=run.id):
            rewards[result.town_id] += result.reward_yuan
            towns.setdefault(
                result.town_id,
                {"name": result.town_name, "full": 0, "joined": 0, "yuan": Decimal(0)},
            )
    return FundingLedger(
        year=year,
        yuan_per_object=per_object,
        rewards_confirmed=run is not None,
        towns=sorted(
            (
                TownFunding(
                    town_id=town_id,
                    town_name=t["name"],
                    objects_full_year=t["full"],
                    objects_joined=t["joined"],
                    object_yuan=t["yuan"],
                    reward_yuan=rewards[town_id],
                )
                for town_id, t in towns.items()
            ),
            key=lambda t: t.town_name,
        ),
        objects=objects,
    )


def funding_xlsx(ledger: FundingLedger, path: Path | None = None) -> bytes:
    """The funding ledger (经费汇总 per town, 调查对象明细 per object); saved to `path` if given."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "经费汇总"
    reward_header = "确认奖励（元）" if ledger.rewards_confirmed else "确认奖励（元，评定未确认）"
    write_sheet(
        sheet,
        [
            "乡镇（街道）",
            "全年在册调查对象",
            "年内新增调查对象",
            f"活动经费（元，{ledger.yuan_per_object}元/个/年）",
            reward_header,
            "合计（元）",
        ],
        [
            [
                t.town_name,
                t.objects_full_year,
                t.objects_joined,
                float(t.object_yuan),
                t.reward_yuan,
                float(t.total_yuan),
            ]
            for t in ledger.towns
        ],
    )
    detail = workbook.create_sheet("调查对象明细")
    write_sheet(
        detail,
        ["乡镇（街道）", "调查对象", "年内纳入日期", "计费天数", "活动经费（元）"],
        [[o.town_name, o.name, o.joined_on, o.days, float(o.yuan)] for o in ledger.objects],
    )
    note = workbook.create_sheet("说明")
    write_sheet(
        note,
        ["项目", "内容"],
        [
            ["年度", str(ledger.year)],
            [
                "活动经费",
                f"每个统计调查对象每年 {ledger.yuan_per_object} 元；年内新纳入的按天折算："
                f"{ledger.yuan_per_object} × 当年剩余天数（含纳入当天）/ 当年天数，保留到分",
            ],
            [
                "奖励",
                "已计入市统计局确认的年度评定奖励"
                if ledger.rewards_confirmed
                else "年度评定尚未确认，奖励未计入",
            ],
        ],
    )
    return workbook_bytes(workbook, path)
