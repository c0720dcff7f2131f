"""Reading a platform export (.xlsx or .csv in UTF-8/GB18030) into checked rows: every problem
is listed, and a file with any problem is refused as a whole (like the roster import)."""

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from enum import StrEnum

from python_calamine import CalamineError, CalamineWorkbook

from models.tables.chase import PlatformStatus
from services.chase import texts
from services.chase.cells import (
    FORM_HEADERS,
    HEADER_VARIANTS,
    ID_HEADERS,
    MAX_FORM,
    MAX_PROBLEM,
    bounded,
    canonical_header,
    name_key,
    parse_code,
    parse_deadline,
    parse_org_code,
    parse_period,
    parse_status,
)
from services.roster_import.cells import Invalid, clean_cell, control_characters

# The platform puts a title (and sometimes a date line) above the header row.
HEADER_SEARCH_ROWS = 10
MAX_ROWS = 20_000


class KeyKind(StrEnum):
    USCC = "统一社会信用代码"
    ORG_CODE = "组织机构代码"
    NAME = "单位详细名称"


class ChaseFileError(Exception):
    """The file cannot be read as an export, or some rows are wrong: the message lists all."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = list(problems)


@dataclass(frozen=True)
class ExportRow:
    number: int  # the row's number in the file, as Excel shows it
    key_kind: KeyKind
    key: str  # the USCC, the 9-character organisation code, or the normalised name
    name: str  # 单位名称 as written (or the detailed name)
    form: str
    status: PlatformStatus
    problem: str
    deadline: datetime | None


@dataclass(frozen=True)
class Export:
    period: str
    rows: tuple[ExportRow, ...]


def _records(file_name: str, data: bytes) -> list[list[object]]:
    suffix = file_name.rsplit(".", 1)[-1].lower() if "." in file_name else ""
    if suffix == "xlsx":
        # calamine (Rust) reads a city's export ten times faster than openpyxl.
        try:
            workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
            records = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
        except (CalamineError, IndexError, ValueError) as exc:
            raise ChaseFileError([texts.FILE_NOT_XLSX.format(name=file_name)]) from exc
        return [list(r) for r in records]
    if suffix == "csv":
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                decoded = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ChaseFileError([texts.FILE_ENCODING.format(name=file_name)])
        try:
            return [list(r) for r in csv.reader(io.StringIO(decoded, newline=""))]
        except csv.Error as exc:
            raise ChaseFileError([texts.FILE_BAD_CSV.format(name=file_name, error=exc)]) from exc
    raise ChaseFileError([texts.FILE_TYPE.format(name=file_name)])


def _header_row(records: list[list[object]]) -> tuple[int, dict[str, int]]:
    for index, record in enumerate(records[:HEADER_SEARCH_ROWS]):
        positions: dict[str, int] = {}
        for column, raw in enumerate(record):
            header = canonical_header(clean_cell(raw)[0])
            if header in HEADER_VARIANTS:
                positions.setdefault(header, column)
        if "状态" in positions and any(h in positions for h in (*ID_HEADERS, "单位名称")):
            return index, positions
    raise ChaseFileError([texts.FILE_NO_HEADER])


def read_export(*, file_name: str, data: bytes, period: str | None, tz: tzinfo) -> Export:
    """The export's rows, all checked; raises ChaseFileError listing every problem.

    `period` (2026-11) is what the sender said; without it the 报告期 column must give one.
    """
    records = _records(file_name, data)
    header_index, positions = _header_row(records)
    problems: list[str] = []
    id_header = next((h for h in ID_HEADERS if h in positions), None)
    if id_header is None and "单位名称" in positions:
        # 单位名称 alone is matched like a detailed name, exactly after normalisation.
        id_header = "单位名称"
    if not any(h in positions for h in FORM_HEADERS):
        problems.append(texts.MISSING_FORM_COLUMN)
    if problems:
        raise ChaseFileError(problems)
    assert id_header is not None
    rows: list[ExportRow] = []
    periods: set[str] = set()
    seen: dict[tuple[str, str], int] = {}
    body = records[header_index + 1 :]
    if len(body) > MAX_ROWS:
        raise ChaseFileError([texts.FILE_TOO_LONG.format(limit=MAX_ROWS)])
    for offset, record in enumerate(body):
        number = header_index + 2 + offset
        cells: dict[str, str] = {}
        rounded: set[str] = set()
        for header, column in positions.items():
            text, inexact = clean_cell(record[column] if column < len(record) else None)
            cells[header] = text
            if inexact:
                rounded.add(header)
        if not any(cells.values()):
            continue

        def wrong(column: str, reason: str, number: int = number) -> None:
            problems.append(texts.ROW_PROBLEM.format(row=number, column=column, reason=reason))

        broken = [h for h, text in cells.items() if control_characters(text) is not None]
        for header in broken:
            wrong(header, control_characters(cells[header]) or "")
        if broken:
            continue
        kind, key = KeyKind.NAME, ""
        try:
            raw = cells.get(id_header, "")
            if not raw:
                raise Invalid("不能为空")
            if id_header == "统一社会信用代码":
                kind, key = KeyKind.USCC, parse_code(raw, id_header in rounded)
            elif id_header == "组织机构代码":
                kind, key = KeyKind.ORG_CODE, parse_org_code(raw)
            else:
                key = name_key(raw)
        except Invalid as exc:
            wrong(id_header, str(exc))
        form = " ".join(p for p in (cells.get("表号", ""), cells.get("报表名称", "")) if p)
        try:
            if not form:
                raise Invalid("表号和报表名称不能都为空")
            bounded(form, MAX_FORM, "表号/报表名称")
        except Invalid as exc:
            wrong("表号", str(exc))
        status = PlatformStatus.NOT_REPORTED
        try:
            status = parse_status(cells.get("状态", ""))
        except Invalid as exc:
            wrong("状态", str(exc))
        problem = cells.get("问题说明", "")
        try:
            bounded(problem, MAX_PROBLEM, "问题说明")
        except Invalid as exc:
            wrong("问题说明", str(exc))
        if cells.get("报告期"):
            try:
                periods.add(parse_period(cells["报告期"]))
            except Invalid as exc:
                wrong("报告期", str(exc))
        deadline = None
        if cells.get("截止时间"):
            try:
                deadline = parse_deadline(cells["截止时间"], tz)
            except Invalid as exc:
                wrong("截止时间", str(exc))
        if key and form:
            earlier = seen.setdefault((key, form), number)
            if earlier != number:
                wrong(id_header, f"与第 {earlier} 行重复（同一单位同一张表）")
        name = cells.get("单位名称") or cells.get("单位详细名称") or cells.get(id_header, "")
        rows.append(ExportRow(number, kind, key, name, form, status, problem, deadline))
    chosen = period
    if chosen is not None:
        other = sorted(p for p in periods if p != chosen)
        if other:
            problems.append(texts.PERIOD_MISMATCH.format(period=chosen, found="、".join(other)))
    elif len(periods) == 1:
        chosen = next(iter(periods))
    elif periods:
        problems.append(texts.PERIOD_MANY.format(found="、".join(sorted(periods))))
    else:
        problems.append(texts.PERIOD_MISSING)
    if not rows and not problems:
        problems.append(texts.FILE_EMPTY)
    if problems:
        raise ChaseFileError(problems)
    assert chosen is not None
    return Export(chosen, tuple(rows))
