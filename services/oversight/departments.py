"""The 五有 standard for departments with industry-statistics duties: where each department
stands on the five items, with evidence notes and dates, and who meets all five."""

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook
from sqlmodel.ext.asyncio.session import AsyncSession

from core.formatting import esc
from models import evaluation as queries
from models.enums import Role
from models.tables import DepartmentCheck
from services.access import Viewer
from services.oversight import texts
from services.oversight.workbooks import workbook_bytes
from services.xlsx import write_sheet

# The policy's five items, keyed by the names the CLI takes.
ITEMS: dict[str, str] = {
    "leader": "有一名分管领导",
    "office": "有一个责任科室",
    "network": "有一个健全的组织网络",
    "team": "有一支统计专业队伍",
    "rules": "有一套全行业统计制度",
}


class DepartmentError(Exception):
    """A department command could not be carried out; the message says why, in Chinese."""


@dataclass(frozen=True, slots=True)
class DepartmentStatus:
    name: str
    # Per item key: the recorded check, None when nothing was recorded yet.
    checks: dict[str, DepartmentCheck | None]

    @property
    def meets_all(self) -> bool:
        return all(check is not None and check.met for check in self.checks.values())

    @property
    def missing(self) -> list[str]:
        return [ITEMS[k] for k, check in self.checks.items() if check is None or not check.met]


async def add_department(*, session: AsyncSession, name: str) -> None:
    name = name.strip()
    if not name:
        raise DepartmentError("部门名称不能为空。")
    if await queries.add_department(session=session, name=name) is None:
        raise DepartmentError(f"部门“{name}”已存在。")


async def set_item(
    *,
    session: AsyncSession,
    department: str,
    item: str,
    met: bool,
    evidence: str,
    checked_on: date,
    now: datetime,
) -> None:
    """Record a department's status on one item (replacing the previous record); the caller
    commits."""
    if item not in ITEMS:
        raise DepartmentError(f"未知的项目“{item}”，可选：{'、'.join(ITEMS)}。")
    found = await queries.department_by_name(session=session, name=department.strip())
    if found is None or found.id is None:
        raise DepartmentError(f"没有名为“{department}”的部门，请先用 departments add 添加。")
    await queries.set_department_check(
        session=session,
        department_id=found.id,
        item=item,
        met=met,
        evidence=evidence.strip()[:500],
        checked_on=checked_on,
        now=now,
    )


async def department_statuses(*, session: AsyncSession) -> list[DepartmentStatus]:
    """Every department with its five items, by name."""
    checks: dict[tuple[int, str], DepartmentCheck] = {
        (c.department_id, c.item): c for c in await queries.department_checks(session=session)
    }
    return [
        DepartmentStatus(name=d.name, checks={key: checks.get((d.id or 0, key)) for key in ITEMS})
        for d in await queries.departments(session=session)
    ]


def report_text(statuses: list[DepartmentStatus]) -> str:
    """Plain-text report for the console: who meets all five, and what the others lack."""
    if not statuses:
        return "尚未登记任何部门。"
    meeting = [s.name for s in statuses if s.meets_all]
    lines = [
        f"“五有”达标部门 {len(meeting)}/{len(statuses)} 个：{'、'.join(meeting) or '无'}",
    ]
    for status in statuses:
        if not status.meets_all:
            lines.append(f"{status.name} 未达标：缺 {'、'.join(status.missing)}")
    return "\n".join(lines)


def departments_xlsx(statuses: list[DepartmentStatus], path: Path | None = None) -> bytes:
    """The 五有 checklist as a sheet: one row per department and item."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "五有达标情况"
    rows = []
    for status in statuses:
        for key, label in ITEMS.items():
            check = status.checks[key]
            rows.append(
                [
                    status.name,
                    label,
                    "未登记" if check is None else ("达标" if check.met else "未达标"),
                    check.evidence if check is not None else "",
                    check.checked_on if check is not None else None,
                    "是" if status.meets_all else "否",
                ]
            )
    write_sheet(sheet, ["部门", "项目", "状态", "佐证说明", "核查日期", "五有全部达标"], rows)
    return workbook_bytes(workbook, path)


def may_view(viewer: Viewer) -> bool:
    """Only the city level (管理员, 一级网格长) sees the departments' 五有 standing."""
    return viewer.is_city_wide or Role.ADMIN in viewer.roles


def chat_view(statuses: list[DepartmentStatus]) -> str:
    """The 五有 standing of every department as an HTML chat message."""
    if not statuses:
        return texts.DEPARTMENTS_EMPTY
    meeting = [s.name for s in statuses if s.meets_all]
    lines = [
        texts.DEPARTMENTS_TITLE.format(
            meeting=len(meeting),
            total=len(statuses),
            names=esc("、".join(meeting)) or texts.DEPARTMENTS_NONE_MEETING,
        )
    ]
    for status in statuses:
        badge = texts.DEPARTMENTS_BADGE_MET if status.meets_all else ""
        lines.append(texts.DEPARTMENTS_DEPARTMENT.format(name=esc(status.name), badge=badge))
        for key, label in ITEMS.items():
            check = status.checks[key]
            if check is None:
                mark, detail = texts.DEPARTMENTS_MARK_UNKNOWN, texts.DEPARTMENTS_UNRECORDED
            else:
                mark = texts.DEPARTMENTS_MARK_MET if check.met else texts.DEPARTMENTS_MARK_NOT_MET
                evidence = f"，{esc(check.evidence)}" if check.evidence else ""
                detail = texts.DEPARTMENTS_ITEM_DETAIL.format(
                    date=check.checked_on.isoformat(), evidence=evidence
                )
            lines.append(texts.DEPARTMENTS_ITEM.format(mark=mark, item=label, detail=detail))
    return "\n".join(lines)
