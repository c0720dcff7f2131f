"""Writing sheets people open in Excel: Chinese headers, frozen header row, sensible widths,
no formula injection (cells that begin with = + - @ are stored as text), and no control
characters (Excel cannot store them: openpyxl would raise IllegalCharacterError)."""

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from unicodedata import east_asian_width

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_PREFIXES = ("=", "+", "-", "@")
MAX_COLUMN_WIDTH = 60

CellValue = str | int | float | datetime | date | None


def display_width(value: object) -> int:
    """Width in Excel columns: CJK characters take two."""
    return sum(2 if east_asian_width(ch) in "WF" else 1 for ch in str(value))


def write_sheet(
    sheet: Worksheet, headers: Sequence[str], rows: Iterable[Sequence[CellValue]]
) -> None:
    sheet.append(list(headers))
    widths = [display_width(h) for h in headers]
    for row_number, row in enumerate(rows, start=2):
        for column, raw in enumerate(row, start=1):
            value = _storable(raw)
            cell = sheet.cell(row=row_number, column=column, value=value)
            if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
                # Keep user text as text: Excel would evaluate it as a formula.
                cell.data_type = "s"
                cell.quotePrefix = True
            widths[column - 1] = max(
                widths[column - 1], display_width(value if value is not None else "")
            )
    sheet.freeze_panes = "A2"
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = min(width + 2, MAX_COLUMN_WIDTH)


def append_sheet(
    book: Workbook, title: str, headers: Sequence[str], rows: Sequence[Sequence[CellValue]]
) -> None:
    """`write_sheet` for a write-only workbook: rows are streamed to the file instead of held as
    cells, so a city's year of attendance fits in little memory. Widths come from a first pass
    over `rows`."""
    sheet = book.create_sheet(title)
    widths = [display_width(h) for h in headers]
    for row in rows:
        for column, value in enumerate(row):
            if value is not None:
                width = display_width(value) if isinstance(value, str) else len(str(value))
                if width > widths[column]:
                    widths[column] = width
    # A write-only sheet takes its layout before its first row.
    sheet.freeze_panes = "A2"
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = min(width + 2, MAX_COLUMN_WIDTH)
    sheet.append(list(headers))
    for row in rows:
        values = [_storable(v) for v in row]
        sheet.append([_text_cell(sheet, v) if _formula_like(v) else v for v in values])


def _storable(value: CellValue) -> CellValue:
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def _formula_like(value: CellValue) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def _text_cell(sheet: WriteOnlyWorksheet, value: CellValue) -> Cell:
    # Keep user text as text: Excel would evaluate it as a formula.
    cell = WriteOnlyCell(sheet, value=str(value))
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell
