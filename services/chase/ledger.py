"""The 催报台账 of a period: every item of the viewer's scope (or the city) with what became of
it, and a summary per grid and town with the figures of services.chase.figures."""

from collections import defaultdict
from datetime import datetime, tzinfo
from io import BytesIO

from openpyxl import Workbook
from sqlmodel.ext.asyncio.session import AsyncSession

from models import chase as queries
from models import grids as grid_queries
from models import people as people_queries
from models.scorecards.chase import ChaseFigures, figures_of, timely
from models.tables.chase import ChaseItem, ChaseState
from services.access import Viewer
from services.chase.cells import shown_deadline
from services.chase.scope import in_scope
from services.xlsx import CellValue, write_sheet

ITEM_HEADERS = (
    "乡镇（街道）",
    "网格",
    "企业名称",
    "统一社会信用代码",
    "统计员",
    "表号/报表名称",
    "平台状态",
    "问题说明",
    "截止时间",
    "首次列入",
    "当前状态",
    "统计员申报",
    "申报时间",
    "申报后仍被列出",
    "销号时间",
    "按时完成",
)
SUMMARY_HEADERS = (
    "乡镇（街道）",
    "网格",
    "催报项数",
    "已销号",
    "按时完成",
    "销号率",
    "及时率",
    "待处理",
    "已申报完成",
    "异常",
)


def _pct(rate: float | None) -> str:
    return "" if rate is None else f"{rate:.1%}"


def _when(moment: datetime | None, tz: tzinfo) -> str:
    return "" if moment is None else moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")


async def chase_ledger(
    *, session: AsyncSession, period: str, viewer: Viewer | None, tz: tzinfo
) -> tuple[bytes, int]:
    """The workbook's bytes and its number of item rows."""
    objects = {
        o.id: o for o in await queries.roster_objects(session=session) if in_scope(viewer, o)
    }
    items = await queries.period_items(session=session, period=period, object_ids=objects.keys())
    grids = await grid_queries.grids_by_ids(
        session=session,
        grid_ids={g for o in objects.values() for g in (o.grid_id, o.town_id) if g is not None},
    )
    keepers = [o.statistician_id for o in objects.values() if o.statistician_id is not None]
    names = {
        p.id: p.name
        for p in await people_queries.people_by_ids(session=session, person_ids=list(set(keepers)))
    }

    def grid_name(grid_id: int | None) -> str:
        return grids[grid_id].name if grid_id in grids else "未划分网格"

    rows: list[list[CellValue]] = []
    by_grid: dict[tuple[str, str], list[ChaseItem]] = defaultdict(list)
    for item in items:
        obj = objects[item.survey_object_id]
        town, grid = grid_name(obj.town_id), grid_name(obj.grid_id)
        by_grid[(town, grid)].append(item)
        rows.append(
            [
                town,
                grid,
                obj.name,
                obj.uscc,
                names.get(obj.statistician_id or 0, ""),
                item.form,
                item.platform_status.value,
                item.problem,
                shown_deadline(item.deadline, tz),
                _when(item.created_at, tz),
                item.state.value,
                item.declared or "",
                _when(item.declared_at, tz),
                "是" if item.discrepancy_at is not None else "",
                _when(item.resolved_at, tz),
                "是"
                if timely(item.resolved_at, item.deadline)
                else ("" if item.state is not ChaseState.RESOLVED else "否"),
            ]
        )
    rows.sort(key=lambda r: (str(r[0]), str(r[1]), str(r[2]), str(r[5])))
    summary: list[list[CellValue]] = []
    towns: dict[str, ChaseFigures] = defaultdict(ChaseFigures)
    for (town, grid), grid_items in sorted(by_grid.items()):
        figures = figures_of(grid_items)
        towns[town] = towns[town] + figures
        summary.append(_summary_row(town, grid, figures))
    for town, figures in sorted(towns.items()):
        summary.append(_summary_row(town, "（合计）", figures))
    if towns:
        summary.append(_summary_row("合计", "", sum(towns.values(), ChaseFigures())))
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "催报台账"
    write_sheet(sheet, ITEM_HEADERS, rows)
    write_sheet(book.create_sheet("汇总"), SUMMARY_HEADERS, summary)
    out = BytesIO()
    book.save(out)
    return out.getvalue(), len(rows)


def _summary_row(town: str, grid: str, f: ChaseFigures) -> list[CellValue]:
    return [
        town,
        grid,
        f.items,
        f.resolved,
        f.timely,
        _pct(f.resolution_rate),
        _pct(f.timely_rate),
        f.open,
        f.declared,
        f.discrepancies,
    ]
