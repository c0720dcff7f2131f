"""The cells every ledger writes (local wall-clock times, hours, rates) and the write-only
workbook its sheets go into (through `services.xlsx.append_sheet`: Chinese headers, frozen
header row, widths, user text that looks like a formula kept as text)."""

from collections.abc import Sequence
from datetime import datetime, tzinfo

from openpyxl import Workbook

from services.oversight.workbooks import workbook_bytes
from services.xlsx import CellValue, append_sheet


def local(moment: datetime | None, tz: tzinfo) -> datetime | None:
    # Excel has no time zones: write the local wall-clock time.
    return None if moment is None else moment.astimezone(tz).replace(tzinfo=None)


def hours(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return round((end - start).total_seconds() / 3600, 1)


def rate(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "—"


Rows = list[Sequence[CellValue]]
Sheet = tuple[str, Sequence[str], Rows]


def workbook(sheets: Sequence[Sheet]) -> bytes:
    book = Workbook(write_only=True)
    for title, headers, rows in sheets:
        append_sheet(book, title, headers, rows)
    return workbook_bytes(book)
