"""Workbooks as bytes, for a chat document or a file: how every oversight sheet is saved."""

from io import BytesIO
from pathlib import Path

from openpyxl import Workbook


def workbook_bytes(workbook: Workbook, path: Path | None = None) -> bytes:
    """The workbook's .xlsx bytes, also written to `path` if given."""
    buffer = BytesIO()
    workbook.save(buffer)
    data = buffer.getvalue()
    if path is not None:
        path.write_bytes(data)
    return data
