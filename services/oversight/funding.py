"""The funding ledger (网格运行经费) for a year, per town and for the whole city, with its two
payers kept apart: the activity funds for each survey object (乡镇（街道）承担, a yearly amount
pro rata over the days the object was on the grid by the roster's 纳入日期 and 退出日期) and the
year's confirmed evaluation rewards (市财政承担)."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, tzinfo
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from sqlmodel.ext.asyncio.session import AsyncSession

from models import evaluation as queries
from models.roster import objects_on_grid_between
from services.oversight.evaluation.config import EvaluationConfig
from services.oversight.evaluation.evidence import year_bounds
from services.oversight.workbooks import workbook_bytes
from services.xlsx import CellValue, write_sheet

TOWN_PAYER = "乡镇（街道）承担"
CITY_PAYER = "市财政承担"
CITY_TOTAL = "全市合计"


@dataclass(frozen=True, slots=True)
class ObjectFunding:
    town_name: str
    name: str
    # The roster's dates; joined_on None: 纳入日期 not recorded (stored before the roster had
    # dates), funded from 1 January.
    joined_on: date | None
    left_on: date | None
    days: int
    yuan: Decimal


@dataclass(frozen=True, slots=True)
class TownFunding:
    town_id: int
    town_name: str
    # Survey objects on the grid some day of the year, of which joined or left during it.
    objects: int
    objects_joined: int
    objects_left: int
    # 乡镇（街道）承担.
    object_yuan: Decimal
    # 市财政承担: the confirmed rewards of the town's grids (0 while not confirmed).
    reward_yuan: int


@dataclass(frozen=True, slots=True)
class FundingLedger:
    year: int
    yuan_per_object: int
    # False: the year's evaluation is not confirmed, so no rewards are included yet.
    rewards_confirmed: bool
    towns: list[TownFunding]
    objects: list[ObjectFunding]
    # The label of the totals row: 全市合计, or 合计 for a ledger cut to some towns.
    total_label: str = CITY_TOTAL

    @property
    def objects_total(self) -> int:
        return sum(t.objects for t in self.towns)

    @property
    def object_yuan_total(self) -> Decimal:
        return sum((t.object_yuan for t in self.towns), Decimal("0.00"))

    @property
    def reward_yuan_total(self) -> int:
        return sum(t.reward_yuan for t in self.towns)


def pro_rata(
    yuan_per_year: int, joined_on: date | None, year: int, left_on: date | None = None
) -> tuple[int, Decimal]:
    """(days funded, yuan) for an object in `year`: from the day it joined (inclusive; 1
    January if earlier or unknown) to the day it left (exclusive; 31 December inclusive if it
    did not leave in the year), yuan_per_year × days / days in the year, rounded to fen."""
    first, next_first = date(year, 1, 1), date(year + 1, 1, 1)
    year_days = (next_first - first).days
    start = max(first, joined_on) if joined_on is not None else first
    stop = min(next_first, left_on) if left_on is not None else next_first
    days = max(0, (stop - start).days)
    amount = Decimal(yuan_per_year) * days / year_days
    return days, amount.quantize(Decimal("0.01"))


async def funding_ledger(
    *,
    session: AsyncSession,
    year: int,
    config: EvaluationConfig,
    tz: tzinfo,
) -> FundingLedger:
    """Per town: its survey objects' activity funds, pro rata by their roster dates
    (乡镇（街道）承担), and its grids' confirmed rewards (市财政承担)."""
    _, end = year_bounds(year, tz)
    first, next_first = date(year, 1, 1), date(year + 1, 1, 1)
    per_object = config.funding.yuan_per_object
    objects: list[ObjectFunding] = []
    names: dict[int, str] = {}
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    yuan: dict[int, Decimal] = defaultdict(lambda: Decimal("0.00"))
    rows = await objects_on_grid_between(
        session=session, first=first, after=next_first, stored_before=end
    )
    for row in rows:
        days, amount = pro_rata(per_object, row.joined_on, year, row.left_on)
        if days == 0:
            continue
        objects.append(
            ObjectFunding(row.town_name, row.name, row.joined_on, row.left_on, days, amount)
        )
        names[row.town_id] = row.town_name
        count = counts[row.town_id]
        count[0] += 1
        count[1] += row.joined_on is not None and row.joined_on > first
        count[2] += row.left_on is not None and row.left_on < next_first
        yuan[row.town_id] += amount
    rewards: dict[int, int] = defaultdict(int)
    run = await queries.confirmed_run(session=session, year=year)
    if run is not None and run.id is not None:
        for result in await queries.run_results(session=session, run_id=run.id):
            rewards[result.town_id] += result.reward_yuan
            names.setdefault(result.town_id, result.town_name)
    towns = [
        TownFunding(
            town_id=town_id,
            town_name=name,
            objects=counts[town_id][0],
            objects_joined=counts[town_id][1],
            objects_left=counts[town_id][2],
            object_yuan=yuan[town_id],
            reward_yuan=rewards[town_id],
        )
        for town_id, name in names.items()
    ]
    return FundingLedger(
        year=year,
        yuan_per_object=per_object,
        rewards_confirmed=run is not None,
        towns=sorted(towns, key=lambda t: t.town_name),
        objects=objects,
    )


def ledger_lines(ledger: FundingLedger) -> list[str]:
    """The ledger for the console: one line per town, the totals row, and the payers."""
    lines = [
        f"{t.town_name}：调查对象 {t.objects} 个（年内纳入 {t.objects_joined} 个，"
        f"年内退出 {t.objects_left} 个）；活动经费 {t.object_yuan} 元（{TOWN_PAYER}）；"
        f"确认奖励 {t.reward_yuan} 元（{CITY_PAYER}）"
        for t in ledger.towns
    ]
    lines.append(
        f"{ledger.total_label}：调查对象 {ledger.objects_total} 个；"
        f"活动经费 {ledger.object_yuan_total} 元（{TOWN_PAYER}）；"
        f"确认奖励 {ledger.reward_yuan_total} 元（{CITY_PAYER}）"
    )
    if not ledger.rewards_confirmed:
        lines.append(f"{ledger.year} 年度评定尚未确认，奖励未计入。")
    return lines


def _day(value: date | None, missing: str) -> date | str:
    return missing if value is None else value


def funding_xlsx(ledger: FundingLedger, path: Path | None = None) -> bytes:
    """The funding ledger (经费汇总 per town with the totals row, 调查对象明细 per object, 说明);
    saved to `path` if given."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "经费汇总"
    reward_header = f"确认奖励（元，{CITY_PAYER}）"
    if not ledger.rewards_confirmed:
        reward_header = f"确认奖励（元，{CITY_PAYER}；评定未确认）"
    rows: list[list[CellValue]] = [
        [
            t.town_name,
            t.objects,
            t.objects_joined,
            t.objects_left,
            float(t.object_yuan),
            t.reward_yuan,
        ]
        for t in ledger.towns
    ]
    rows.append(
        [
            ledger.total_label,
            ledger.objects_total,
            sum(t.objects_joined for t in ledger.towns),
            sum(t.objects_left for t in ledger.towns),
            float(ledger.object_yuan_total),
            ledger.reward_yuan_total,
        ]
    )
    write_sheet(
        sheet,
        [
            "乡镇（街道）",
            "调查对象（个）",
            "其中年内纳入",
            "其中年内退出",
            f"活动经费（元，{TOWN_PAYER}，{ledger.yuan_per_object}元/个/年）",
            reward_header,
        ],
        rows,
    )
    detail = workbook.create_sheet("调查对象明细")
    write_sheet(
        detail,
        [
            "乡镇（街道）",
            "调查对象",
            "纳入日期",
            "退出日期",
            "计费天数",
            f"活动经费（元，{TOWN_PAYER}）",
        ],
        [
            [
                o.town_name,
                o.name,
                _day(o.joined_on, "未登记（按1月1日计）"),
                _day(o.left_on, ""),
                o.days,
                float(o.yuan),
            ]
            for o in ledger.objects
        ],
    )
    note = workbook.create_sheet("说明")
    write_sheet(
        note,
        ["项目", "内容"],
        [
            ["年度", str(ledger.year)],
            [
                f"活动经费（{TOWN_PAYER}）",
                f"每个统计调查对象每年 {ledger.yuan_per_object} 元，按花名册的纳入日期、退出日期"
                f"按天折算：{ledger.yuan_per_object} × 在册天数（含纳入当天，不含退出当天）"
                "/ 当年天数，保留到分；未登记纳入日期的按1月1日计",
            ],
            [
                f"确认奖励（{CITY_PAYER}）",
                "市统计局确认的年度评定奖励"
                if ledger.rewards_confirmed
                else "年度评定尚未确认，奖励未计入",
            ],
            [f"{ledger.total_label}·{TOWN_PAYER}（元）", float(ledger.object_yuan_total)],
            [f"{ledger.total_label}·{CITY_PAYER}（元）", ledger.reward_yuan_total],
        ],
    )
    return workbook_bytes(workbook, path)
