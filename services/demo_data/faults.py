"""Planting known bad rows in a demo roster: each fault yields exactly one import error."""

import random
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import openpyxl

from models.enums import Role
from services.demo_data.city import USCC_ALPHABET
from services.demo_data.roster import write_workbook
from services.roster_import.vocabulary import ENTERPRISE_HEADERS, PEOPLE_HEADERS, SheetKind


@dataclass(frozen=True)
class InjectedError:
    """A cell made bad on purpose: what an import must report, and what kind of fault it is."""

    sheet: str
    row: int
    column: str
    kind: str


class _Injector:
    """Plants faults so that each causes exactly one error at a known cell.

    Rows are kept with their header at index 0, so index i is spreadsheet row i + 1. A row used
    as the original of a duplicate is touched too, so that no later fault changes it.
    """

    def __init__(self, enterprises: list[list[object]], people: list[list[object]], seed: int):
        self.rng = random.Random(seed)
        self.enterprises = enterprises
        self.people = people
        self.touched: set[tuple[str, int]] = set()
        self.injected: list[InjectedError] = []

    def _free(self, sheet: str, rows: Iterable[int]) -> list[int]:
        return [r for r in rows if (sheet, r) not in self.touched]

    def _set(self, sheet: str, index: int, column: str, value: object, kind: str) -> None:
        rows, headers = (
            (self.enterprises, ENTERPRISE_HEADERS)
            if sheet == SheetKind.ENTERPRISES.value
            else (self.people, PEOPLE_HEADERS)
        )
        rows[index][headers.index(column)] = value
        self.touched.add((sheet, index))
        self.injected.append(InjectedError(sheet, index + 1, column, kind))

    def _cell(self, index: int, column: str) -> object:
        return self.enterprises[index][ENTERPRISE_HEADERS.index(column)]

    def enterprise(self, kind: str) -> bool:
        sheet = SheetKind.ENTERPRISES.value
        if kind == "手机号姓名不一致":
            return self._rename_statistician()
        free = self._free(sheet, range(1, len(self.enterprises)))
        if not free:
            return False
        index = self.rng.choice(free)
        if kind in ("重复统一社会信用代码", "同乡镇重名企业"):
            column = "统一社会信用代码" if kind == "重复统一社会信用代码" else "企业名称"
            earlier = self._free(sheet, range(1, index))
            if kind == "同乡镇重名企业":
                town = self._cell(index, "乡镇街道")
                earlier = [i for i in earlier if self._cell(i, "乡镇街道") == town]
            if not earlier:
                return False
            original = self.rng.choice(earlier)
            self.touched.add((sheet, original))
            self._set(sheet, index, column, self._cell(original, column), kind)
            return True
        code = str(self._cell(index, "统一社会信用代码"))
        column, value = {
            "校验位错误": (
                "统一社会信用代码",
                code[:-1] + USCC_ALPHABET[(USCC_ALPHABET.index(code[-1]) + 1) % 31],
            ),
            "长度错误": ("统一社会信用代码", code[:10] + code[11:]),
            "手机号错误": ("统计员手机", "1381234567"),
            "未知行业": ("行业", "农业"),
            "未知规模": ("规模", "规下"),
            "缺企业名称": ("企业名称", ""),
        }[kind]
        self._set(sheet, index, column, value, kind)
        return True

    def _rename_statistician(self) -> bool:
        """Give a statistician a different name on a later row of theirs; the first row stays."""
        sheet = SheetKind.ENTERPRISES.value
        rows_of: dict[object, list[int]] = {}
        for index in range(1, len(self.enterprises)):
            rows_of.setdefault(self._cell(index, "统计员手机"), []).append(index)
        options = [
            rows
            for rows in rows_of.values()
            if len(rows) > 1 and not any((sheet, i) in self.touched for i in rows)
        ]
        if not options:
            return False
        rows = self.rng.choice(options)
        self.touched.add((sheet, rows[0]))
        later = self.rng.choice(rows[1:])
        self._set(sheet, later, "统计员", f"{self._cell(later, '统计员')}甲", "手机号姓名不一致")
        return True

    def person(self, kind: str) -> bool:
        sheet = SheetKind.PEOPLE.value
        role_column = PEOPLE_HEADERS.index("角色")
        grid_roles = {Role.GRID_HEAD.value, Role.GRID_DEPUTY.value, Role.INSTRUCTOR.value}
        local_roles = grid_roles | {Role.TOWN_HEAD.value, Role.TOWN_DEPUTY.value}
        wanted = grid_roles if kind == "未知网格" else local_roles
        free = [
            i
            for i in self._free(sheet, range(1, len(self.people)))
            if self.people[i][role_column] in wanted
        ]
        if not free:
            return False
        column, value = {
            "未知角色": ("角色", "组长"),
            "网格员不是人员角色": ("角色", Role.MEMBER.value),
            "人员手机号错误": ("手机", "2381234567"),
            "缺乡镇街道": ("乡镇街道", ""),
            "未知网格": ("网格", "不存在的网格99"),
        }[kind]
        self._set(sheet, self.rng.choice(free), column, value, kind)
        return True


ENTERPRISE_FAULTS = (
    "校验位错误",
    "长度错误",
    "重复统一社会信用代码",
    "同乡镇重名企业",
    "手机号错误",
    "未知行业",
    "未知规模",
    "缺企业名称",
    "手机号姓名不一致",
)
PEOPLE_FAULTS = ("未知角色", "网格员不是人员角色", "人员手机号错误", "缺乡镇街道", "未知网格")


def _read_sheet(workbook: openpyxl.Workbook, title: str) -> list[list[object]]:
    if title not in workbook.sheetnames:
        return []
    return [list(record) for record in workbook[title].iter_rows(values_only=True)]


def inject_errors(path_in: Path, path_out: Path, *, count: int, seed: int) -> list[InjectedError]:
    """Copy a roster written by build_demo_roster with `count` rows made bad, each in a way that
    yields exactly one error at the returned (sheet, row, column), against an empty database."""
    workbook = openpyxl.load_workbook(path_in, read_only=True)
    try:
        enterprises = _read_sheet(workbook, SheetKind.ENTERPRISES.value)
        people = _read_sheet(workbook, SheetKind.PEOPLE.value)
    finally:
        workbook.close()
    injector = _Injector(enterprises, people, seed)
    faults = [(True, kind) for kind in ENTERPRISE_FAULTS] + [(False, k) for k in PEOPLE_FAULTS]
    attempts = 0
    while len(injector.injected) < count:
        is_enterprise, kind = faults[attempts % len(faults)]
        attempts += 1
        if attempts > 20 * (count + len(faults)):
            raise ValueError(f"cannot plant {count} faults in a roster this small")
        if is_enterprise:
            injector.enterprise(kind)
        else:
            injector.person(kind)
    write_workbook(
        path_out,
        [(SheetKind.ENTERPRISES.value, enterprises), (SheetKind.PEOPLE.value, people)],
    )
    order = {SheetKind.ENTERPRISES.value: 0, SheetKind.PEOPLE.value: 1}
    return sorted(injector.injected, key=lambda e: (order[e.sheet], e.row))
