"""Validating roster rows on their own and against each other: every problem becomes a RowError."""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from models.enums import CITY_ROLES, GRID_STAFF_ROLES, Industry, Role, Scale
from services.roster_import.cells import (
    NAME_LIMITS,
    Invalid,
    compare_key,
    control_characters,
    grid_key,
    parse_date,
    parse_industry,
    parse_mobile,
    parse_role,
    parse_scale,
    parse_uscc,
    person_name,
    town_name,
    visible,
)
from services.roster_import.read import RosterFile, RosterRow, RosterSheet
from services.roster_import.report import RowError
from services.roster_import.vocabulary import HEADERS

_T = TypeVar("_T")


@dataclass(frozen=True)
class Where:
    sheet: str
    row: int

    def mention(self, other: "Where") -> str:
        """How a message on row `other` refers to this earlier row."""
        return f"第{self.row}行" if self.sheet == other.sheet else f"{self.sheet} 第{self.row}行"


@dataclass(frozen=True)
class Enterprise:
    """One 企业 row; a field is None when its cell is empty or invalid."""

    at: Where
    name: str | None
    uscc: str | None
    industry: Industry | None
    town: str | None
    statistician: str | None
    mobile: str | None
    scale: Scale | None
    # The optional 纳入日期 and 退出日期 (None when empty or invalid).
    joined_on: date | None = None
    left_on: date | None = None


@dataclass(frozen=True)
class Staff:
    """One 人员 row; a field is None when its cell is empty, invalid or not applicable."""

    at: Where
    name: str | None
    mobile: str | None
    role: Role | None
    town: str | None
    grid: str | None
    grid_text: str


class Errors:
    def __init__(self) -> None:
        self.items: list[RowError] = []
        self._cells: set[tuple[str, int, str]] = set()

    def add(self, at: Where, column: str, value: str, reason: str) -> None:
        self.items.append(RowError(at.sheet, at.row, column, value, reason))
        self._cells.add((at.sheet, at.row, column))

    def has(self, at: Where, column: str) -> bool:
        return (at.sheet, at.row, column) in self._cells


def _refuse_control_characters(row: RosterRow, at: Where, errors: Errors) -> None:
    """Report every cell with a control character: none may reach the database (PostgreSQL
    refuses a NUL outright) or a spreadsheet (openpyxl cannot write them)."""
    for column, text in row.cells.items():
        reason = control_characters(text)
        if reason is not None:
            errors.add(at, column, visible(text), reason)


def _text(row: RosterRow, at: Where, column: str, errors: Errors) -> str | None:
    """The cell's text, or None after reporting it empty, too long or unprintable."""
    if errors.has(at, column):
        return None
    text = row.get(column)
    if not text:
        errors.add(at, column, "", "不能为空")
        return None
    limit = NAME_LIMITS.get(column)
    if limit is not None and len(text) > limit:
        errors.add(at, column, text, f"太长：最多 {limit} 个字")
        return None
    return text


def _parsed(
    row: RosterRow, at: Where, column: str, errors: Errors, parse: Callable[[str], _T]
) -> _T | None:
    text = _text(row, at, column, errors)
    if text is None:
        return None
    try:
        return parse(text)
    except Invalid as exc:
        errors.add(at, column, text, str(exc))
        return None


def _optional_date(row: RosterRow, at: Where, column: str, errors: Errors) -> date | None:
    if errors.has(at, column) or not row.get(column):
        return None
    return _parsed(row, at, column, errors, parse_date)


def check_enterprise(sheet: RosterSheet, row: RosterRow, errors: Errors) -> Enterprise:
    at = Where(sheet.label, row.number)
    _refuse_control_characters(row, at, errors)
    rounded = "统一社会信用代码" in row.rounded
    joined_on = _optional_date(row, at, "纳入日期", errors)
    left_on = _optional_date(row, at, "退出日期", errors)
    if joined_on is not None and left_on is not None and left_on <= joined_on:
        errors.add(
            at,
            "退出日期",
            row.get("退出日期"),
            f"退出日期应晚于纳入日期（{joined_on.isoformat()}）",
        )
        left_on = None
    return Enterprise(
        at=at,
        name=_text(row, at, "企业名称", errors),
        uscc=_parsed(row, at, "统一社会信用代码", errors, lambda t: parse_uscc(t, rounded)),
        industry=_parsed(row, at, "行业", errors, parse_industry),
        town=_parsed(row, at, "乡镇街道", errors, town_name),
        statistician=_parsed(row, at, "统计员", errors, person_name),
        mobile=_parsed(row, at, "统计员手机", errors, parse_mobile),
        scale=_parsed(row, at, "规模", errors, parse_scale),
        joined_on=joined_on,
        left_on=left_on,
    )


def check_staff(sheet: RosterSheet, row: RosterRow, errors: Errors) -> Staff:
    at = Where(sheet.label, row.number)
    _refuse_control_characters(row, at, errors)
    name = _parsed(row, at, "姓名", errors, person_name)
    mobile = _parsed(row, at, "手机", errors, parse_mobile)
    role = _parsed(row, at, "角色", errors, parse_role)
    town: str | None = None
    if role is None:
        town = None if errors.has(at, "乡镇街道") else town_name(row.get("乡镇街道")) or None
    elif role not in CITY_ROLES:
        town = _text(row, at, "乡镇街道", errors)
        town = None if town is None else town_name(town)
    # 管理员 and 一级网格长 belong to the whole city: a town written next to them is ignored.
    # A refused cell (control characters) must not reach a query either.
    grid_text = "" if errors.has(at, "网格") else row.get("网格")
    grid: str | None = None
    if grid_text and role is not None:
        if role in GRID_STAFF_ROLES:
            grid = grid_key(grid_text)
        else:
            errors.add(
                at,
                "网格",
                grid_text,
                f"{role.value}不属于三级网格，「网格」请留空（只有网格长、副网格长、网格指导员填写网格）",
            )
    return Staff(at, name, mobile, role, town, grid, grid_text)


def check_across_rows(
    enterprises: Sequence[Enterprise], staff: Sequence[Staff], errors: Errors
) -> None:
    """Duplicates inside the files; each is reported on the later row."""
    by_uscc: dict[str, Where] = {}
    by_town_name: dict[tuple[str, str], Where] = {}
    for ent in enterprises:
        if ent.uscc is not None:
            first = by_uscc.setdefault(ent.uscc, ent.at)
            if first != ent.at:
                errors.add(ent.at, "统一社会信用代码", ent.uscc, f"与{first.mention(ent.at)}重复")
        if ent.name is not None and ent.town is not None:
            first = by_town_name.setdefault((ent.town, compare_key(ent.name)), ent.at)
            if first != ent.at:
                errors.add(
                    ent.at,
                    "企业名称",
                    ent.name,
                    f"同一乡镇街道内企业名称与{first.mention(ent.at)}重复",
                )

    names: dict[str, tuple[str, Where]] = {}

    def same_person(at: Where, column: str, name: str | None, mobile: str | None) -> None:
        if name is None or mobile is None:
            return
        first_name, first_at = names.setdefault(mobile, (name, at))
        if compare_key(first_name) != compare_key(name):
            errors.add(
                at,
                column,
                name,
                f"手机号 {mobile} 在{first_at.mention(at)}登记的姓名是「{first_name}」；"
                "同一手机号只能对应一个人",
            )

    for ent in enterprises:
        same_person(ent.at, "统计员", ent.statistician, ent.mobile)
    seen: dict[tuple[str, Role, str | None, str | None], Where] = {}
    for person in staff:
        same_person(person.at, "姓名", person.name, person.mobile)
        if person.mobile is None or person.role is None:
            continue
        first = seen.setdefault((person.mobile, person.role, person.town, person.grid), person.at)
        if first != person.at:
            errors.add(
                person.at,
                "手机",
                person.mobile,
                f"与{first.mention(person.at)}重复（同一人、同一角色、同一乡镇街道和网格）",
            )


def sorted_errors(roster: RosterFile, errors: Iterable[RowError]) -> list[RowError]:
    sheets = {
        sheet.label: (index, HEADERS[sheet.kind]) for index, sheet in enumerate(roster.sheets)
    }

    def order(error: RowError) -> tuple[int, int, int]:
        index, headers = sheets.get(error.sheet, (len(sheets), ()))
        column = headers.index(error.column) if error.column in headers else len(headers)
        return index, error.row, column

    return sorted(errors, key=order)
