"""What an import tells its user: row errors, the summary, and the error report workbook."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import openpyxl
from openpyxl.styles import Font

from services.xlsx import write_sheet


@dataclass(frozen=True)
class RowError:
    """One problem in one cell; `row` is the spreadsheet's row number (header = 1)."""

    sheet: str
    row: int
    column: str
    value: str
    reason: str


class RosterFileError(Exception):
    """A file cannot be read as a roster at all; the message is Chinese and names every problem.

    `errors` holds the missing-header problems as RowErrors (row 1) for an error report.
    """

    def __init__(self, message: str, errors: Sequence[RowError] = ()) -> None:
        super().__init__(message)
        self.errors = list(errors)


@dataclass
class ImportReport:
    errors: list[RowError] = field(default_factory=list)
    towns_created: int = 0
    enterprises_created: int = 0
    enterprises_updated: int = 0
    enterprises_unchanged: int = 0
    people_created: int = 0
    assignments_created: int = 0
    # Awaiting or partition-placed assignments that the roster now pins to a named grid.
    assignments_updated: int = 0
    # Set when new enterprises had no 纳入日期: the day they were given, and why that day.
    default_joined_on: date | None = None
    default_joined_reason: str = ""
    # Rows with a 退出日期, and objects of the imported towns the roster no longer lists
    # (recorded as leaving on `removed_on`).
    enterprises_leaving: int = 0
    enterprises_removed: int = 0
    removed_on: date | None = None
    # Statisticians who were 网格员 before and are no longer (every object of theirs left or
    # went to someone else): their names.
    seats_lost: list[str] = field(default_factory=list)
    # Set at the city's first import: its go-live date (启用日期) and why that day.
    go_live: date | None = None
    go_live_reason: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if not self.ok:
            return (
                f"发现 {len(self.errors)} 处问题，本次没有导入任何数据。\n"
                "请按错误报告逐条修正后重新导入。"
            )
        return "\n".join(
            [
                "导入完成。",
                f"新建乡镇街道：{self.towns_created} 个",
                f"企业：新增 {self.enterprises_created} 家，更新 {self.enterprises_updated} 家，"
                f"未变 {self.enterprises_unchanged} 家",
                f"人员：新增 {self.people_created} 人",
                f"岗位：新增 {self.assignments_created} 个，调整 {self.assignments_updated} 个",
                *self._date_lines(),
            ]
        )

    def _date_lines(self) -> list[str]:
        lines = []
        if self.go_live is not None:
            lines.append(
                f"启用日期：{self.go_live.isoformat()}（{self.go_live_reason}）；此前开始的月份"
                "和季度不提醒、不考核（未纳入）。如需更改：gridbot golive set 日期"
            )
        if self.default_joined_on is not None:
            lines.append(
                f"纳入日期：花名册未填写的新增企业按 {self.default_joined_on.isoformat()} 纳入"
                f"（{self.default_joined_reason}）；如不对，请加「纳入日期」列或用 --joined-on "
                "指定后重新导入"
            )
        if self.enterprises_leaving:
            lines.append(f"退出：花名册填写了退出日期的企业 {self.enterprises_leaving} 家")
        if self.enterprises_removed and self.removed_on is not None:
            lines.append(
                f"退出：本次导入的乡镇街道中有 {self.enterprises_removed} 家企业不在花名册中，"
                f"已记为 {self.removed_on.isoformat()} 退出（经费按天折算到前一天）"
            )
        if self.seats_lost:
            lines.append(seats_lost_line(self.seats_lost))
        return lines


# Names listed in a summary before 等 (the whole list is in the audit trail's count).
SEATS_LOST_SHOWN = 20


def seats_lost_line(names: Sequence[str]) -> str:
    shown = "、".join(names[:SEATS_LOST_SHOWN])
    more = f"等 {len(names)} 人" if len(names) > SEATS_LOST_SHOWN else f"共 {len(names)} 人"
    return f"不再是网格员（所负责的企业均已退出或改由他人负责）：{shown}，{more}"


_REPORT_HEADERS = ("工作表", "行号", "列", "内容", "问题")


def _shorten(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def format_errors(errors: Iterable[RowError]) -> str:
    """One console line per error: 企业 第12行 统一社会信用代码「9133…」：校验位错误…"""
    lines = []
    for error in errors:
        value = f"「{_shorten(error.value)}」" if error.value else ""
        lines.append(f"{error.sheet} 第{error.row}行 {error.column}{value}：{error.reason}")
    return "\n".join(lines)


def error_report_path(input_path: Path) -> Path:
    """Where the error report of `input_path` goes: roster.xlsx -> roster.错误报告.xlsx."""
    return input_path.with_name(f"{input_path.stem}.错误报告.xlsx")


def write_error_report(errors: Sequence[RowError], path: Path) -> Path:
    """Write the errors as an .xlsx the user can work through row by row; returns `path`.

    Cells that look like formulas (= + - @) are stored as quoted text, never evaluated.
    """
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    if sheet is None:
        raise AssertionError("a new openpyxl workbook always has a sheet")
    sheet.title = "错误报告"
    write_sheet(
        sheet, _REPORT_HEADERS, [(e.sheet, e.row, e.column, e.value, e.reason) for e in errors]
    )
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.auto_filter.ref = sheet.dimensions
    workbook.save(path)
    return path
