"""/deptset in the chat, for admins: record one of a department's 五有 items with its evidence
and date (what `gridbot departments set` does), audited in the same transaction."""

import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from core.formatting import esc
from models.enums import Role
from services.access import Viewer
from services.audit import Actor, AuditAction, record
from services.oversight.departments import ITEMS, DepartmentError, set_item

NOT_ALLOWED = "登记部门“五有”仅限市统计局管理员。"
USAGE = (
    "用法：<code>/deptset 部门 项目 达标|未达标 [日期] [佐证说明]</code>\n"
    "项目："
    + "、".join(f"{n}={label}" for n, label in enumerate(ITEMS.values(), start=1))
    + "（也可写编号、英文键或「分管领导」「责任科室」「组织网络」「专业队伍」「统计制度」）\n"
    "例：<code>/deptset 市市场监管局 2 达标 2026-11-20 "
    "综合科负责统计（文件：乐市监〔2026〕12号）</code>"
)
SAVED = "已记录：{department} · {item} · {state}（{on}）{evidence}"

_SHORT = {
    "分管领导": "leader",
    "责任科室": "office",
    "组织网络": "network",
    "专业队伍": "team",
    "统计制度": "rules",
}
_MET = {
    "达标": True,
    "是": True,
    "有": True,
    "未达标": False,
    "不达标": False,
    "否": False,
    "无": False,
}
_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
MAX_EVIDENCE = 500


@dataclass(frozen=True)
class DepartmentEdit:
    department: str
    item: str
    met: bool
    checked_on: date | None
    evidence: str


def _item(text: str) -> str | None:
    keys = list(ITEMS)
    if text.isascii() and text.isdigit() and 1 <= int(text) <= len(keys):
        return keys[int(text) - 1]
    if text in ITEMS:
        return text
    if text in _SHORT:
        return _SHORT[text]
    return next((key for key, label in ITEMS.items() if text == label), None)


def parse_edit(text: str) -> DepartmentEdit | None:
    """「市市场监管局 2 达标 2026-11-20 佐证」: a department edit, None if it is not one."""
    parts = text.strip().split(maxsplit=3)
    if len(parts) < 3 or len(parts[0]) > 50:
        return None
    department, item_text, state = parts[:3]
    item = _item(item_text)
    met = _MET.get(state)
    if item is None or met is None:
        return None
    rest = parts[3] if len(parts) == 4 else ""
    checked_on = None
    head, _, tail = rest.partition(" ")
    found = _DATE.match(head)
    if found is not None:
        try:
            checked_on = date(int(found[1]), int(found[2]), int(found[3]))
        except ValueError:
            return None
        rest = tail
    return DepartmentEdit(department, item, met, checked_on, rest.strip()[:MAX_EVIDENCE])


def may_edit(viewer: Viewer) -> bool:
    return Role.ADMIN in viewer.roles


async def apply_edit(
    *, session: AsyncSession, viewer: Viewer, edit: DepartmentEdit, today: date, now: datetime
) -> str:
    """Record the item and its audit entry (the caller commits); the reply. Raises
    DepartmentError (Chinese) for an unknown department."""
    on = edit.checked_on or today
    await set_item(
        session=session,
        department=edit.department,
        item=edit.item,
        met=edit.met,
        evidence=edit.evidence,
        checked_on=on,
        now=now,
    )
    state = "达标" if edit.met else "未达标"
    await record(
        session=session,
        actor=Actor.chat(viewer.person_id, viewer.name),
        action=AuditAction.DEPARTMENT_ITEM,
        summary=f"{edit.department} · {ITEMS[edit.item]} · {state}（{on}）{edit.evidence[:100]}",
        now=now,
    )
    evidence = f"\n佐证：{esc(edit.evidence)}" if edit.evidence else ""
    return SAVED.format(
        department=esc(edit.department),
        item=ITEMS[edit.item],
        state=state,
        on=on,
        evidence=evidence,
    )


__all__ = ["DepartmentEdit", "DepartmentError", "apply_edit", "may_edit", "parse_edit"]
