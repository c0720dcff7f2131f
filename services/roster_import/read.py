"""Reading roster files (.xlsx sheets, .csv in UTF-8 or GB18030) into rows, before validation."""

import csv
import io
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import openpyxl

from services.roster_import.cells import canonical_header, clean_cell, clean_text, compare_key
from services.roster_import.report import RosterFileError, RowError, format_errors
from services.roster_import.vocabulary import (
    ENTERPRISE_HEADERS,
    HEADERS,
    PEOPLE_HEADERS,
    REQUIRED_HEADERS,
    SheetKind,
)


@dataclass(frozen=True)
class RosterRow:
    number: int
    # Canonical header -> cell text with surrounding whitespace removed.
    cells: Mapping[str, str]
    # Columns whose cell was a number too long for Excel to keep exactly.
    rounded: frozenset[str] = frozenset()

    def get(self, column: str) -> str:
        return self.cells.get(column, "")


@dataclass(frozen=True)
class RosterSheet:
    kind: SheetKind
    # What RowError.sheet shows: the sheet kind, plus the file name when several files are read.
    label: str
    columns: frozenset[str]
    rows: tuple[RosterRow, ...]


@dataclass(frozen=True)
class RosterFile:
    sheets: tuple[RosterSheet, ...]

    def of_kind(self, kind: SheetKind) -> list[RosterSheet]:
        return [sheet for sheet in self.sheets if sheet.kind is kind]


def guess_kind(headers: Iterable[str]) -> SheetKind | None:
    present = set(headers)
    shared = set(ENTERPRISE_HEADERS) & set(PEOPLE_HEADERS)
    enterprise_score = len(present & (set(ENTERPRISE_HEADERS) - shared))
    people_score = len(present & (set(PEOPLE_HEADERS) - shared))
    if enterprise_score > people_score:
        return SheetKind.ENTERPRISES
    if people_score > enterprise_score:
        return SheetKind.PEOPLE
    return None


def build_sheet(
    kind: SheetKind, label: str, records: Iterable[Sequence[object]]
) -> tuple[RosterSheet, list[RowError]]:
    """A sheet from its raw records (first = header row), or the missing-header errors."""
    iterator = iter(records)
    header_cells = next(iterator, ())
    positions: dict[str, int] = {}
    for index, raw in enumerate(header_cells):
        text, _ = clean_cell(raw)
        header = canonical_header(text)
        if header in HEADERS[kind]:
            positions.setdefault(header, index)
    missing = [h for h in REQUIRED_HEADERS[kind] if h not in positions]
    header_errors = [
        RowError(label, 1, header, "", "缺少这一必需的列（表头应在第1行）") for header in missing
    ]
    rows: list[RosterRow] = []
    if not header_errors:
        for number, record in enumerate(iterator, start=2):
            cells: dict[str, str] = {}
            rounded: set[str] = set()
            for header, index in positions.items():
                text, inexact = clean_cell(record[index] if index < len(record) else None)
                cells[header] = text
                if inexact:
                    rounded.add(header)
            if any(cells.values()):
                rows.append(RosterRow(number, cells, frozenset(rounded)))
    sheet = RosterSheet(kind, label, frozenset(positions), tuple(rows))
    return sheet, header_errors


def _label(kind: SheetKind, path: Path, many_files: bool) -> str:
    return f"{kind.value}（{path.name}）" if many_files else kind.value


def _xlsx_sheets(path: Path) -> dict[str, list[list[object]]]:
    """Every sheet's rows of cell values, by sheet title."""
    # read_only streams the sheet XML: about 1 s for a 10,000-enterprise roster.
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        return {
            sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
            for sheet in workbook.worksheets
        }
    finally:
        workbook.close()


def _read_xlsx(path: Path, many_files: bool) -> tuple[list[RosterSheet], list[RowError]]:
    try:
        sheets_by_title = {compare_key(title): rows for title, rows in _xlsx_sheets(path).items()}
        chosen: list[tuple[SheetKind, Sequence[Sequence[object]]]] = [
            (kind, sheets_by_title[kind.value])
            for kind in SheetKind
            if kind.value in sheets_by_title
        ]
        if not chosen:
            # No sheet named 企业 or 人员 (e.g. "Sheet1"): recognise sheets by their headers.
            for found in sheets_by_title.values():
                headers = [canonical_header(clean_cell(c)[0]) for c in found[0]] if found else []
                kind = guess_kind(headers)
                if kind is not None:
                    chosen.append((kind, found))
    except OSError as exc:
        raise RosterFileError(f"{path.name}：无法读取（{exc.strerror or exc}）") from exc
    except (zipfile.BadZipFile, KeyError, ValueError, IndexError) as exc:
        raise RosterFileError(f"{path.name}：无法打开，不是有效的 .xlsx 文件") from exc
    if not chosen:
        raise RosterFileError(
            f"{path.name}：没有找到「企业」或「人员」工作表，也没有认出企业表或人员表的表头"
        )
    sheets: list[RosterSheet] = []
    errors: list[RowError] = []
    for kind, records in chosen:
        sheet, header_errors = build_sheet(kind, _label(kind, path, many_files), records)
        sheets.append(sheet)
        errors.extend(header_errors)
    return sheets, errors


def _decode_csv(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        # Excel in China saves "CSV (逗号分隔)" in the ANSI code page, i.e. GBK/GB18030.
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise RosterFileError(
            f"{path.name}：无法识别文件编码，请在 Excel 中另存为「CSV UTF-8」后重试"
        ) from exc


def _read_csv(path: Path, many_files: bool) -> tuple[list[RosterSheet], list[RowError]]:
    try:
        records = list(csv.reader(io.StringIO(_decode_csv(path), newline="")))
    except csv.Error as exc:
        raise RosterFileError(f"{path.name}：CSV 格式有误（{exc}）") from exc
    except OSError as exc:
        raise RosterFileError(f"{path.name}：无法读取（{exc}）") from exc
    headers = [canonical_header(clean_text(c)) for c in records[0]] if records else []
    kind = guess_kind(headers)
    if kind is None:
        raise RosterFileError(
            f"{path.name}：认不出是企业表还是人员表。"
            f"企业表的表头应为 {'、'.join(ENTERPRISE_HEADERS)}；"
            f"人员表的表头应为 {'、'.join(PEOPLE_HEADERS)}"
        )
    sheet, errors = build_sheet(kind, _label(kind, path, many_files), records)
    return [sheet], errors


def read_roster(paths: Sequence[Path]) -> RosterFile:
    """Parse roster files without validating rows.

    Raises RosterFileError naming every unreadable file, wrong file type and missing header.
    """
    if not paths:
        raise RosterFileError("没有指定要导入的文件")
    many_files = len(paths) > 1
    sheets: list[RosterSheet] = []
    problems: list[str] = []
    header_errors: list[RowError] = []
    for path in paths:
        suffix = path.suffix.lower()
        if suffix not in (".xlsx", ".csv"):
            hint = "旧版 .xls 请在 Excel 中另存为 .xlsx；" if suffix == ".xls" else ""
            problems.append(f"{path.name}：不支持的文件类型，{hint}只能导入 .xlsx 或 .csv 文件")
            continue
        if not path.is_file():
            problems.append(f"{path}：找不到文件")
            continue
        reader = _read_xlsx if suffix == ".xlsx" else _read_csv
        try:
            found, errors = reader(path, many_files)
        except RosterFileError as exc:
            problems.append(str(exc))
            continue
        sheets.extend(found)
        header_errors.extend(errors)
    problems.extend(format_errors(header_errors).splitlines())
    if problems:
        raise RosterFileError("\n".join(problems), header_errors)
    return RosterFile(tuple(sheets))
