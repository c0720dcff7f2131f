"""Roster files that cannot be read, and sheets recognised by their headers."""

from pathlib import Path

import openpyxl
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from services.roster_import.read import read_roster
from services.roster_import.report import (
    RosterFileError,
)
from services.roster_import.vocabulary import ENTERPRISE_HEADERS
from tests.factories import (
    enterprise,
    person,
    write_roster_csv,
    write_roster_xlsx,
)
from tests.services.roster_import.helpers import row_counts, run

# --- Files that cannot be read -----------------------------------------------------------------


def test_missing_headers_are_reported_once_per_sheet(tmp_path: Path) -> None:
    path = write_roster_xlsx(
        tmp_path / "r.xlsx",
        enterprises=[enterprise(n) for n in range(5)],
        people=[person(1)],
        enterprise_headers=[h for h in ENTERPRISE_HEADERS if h not in ("行业", "规模")],
        people_headers=["姓名", "手机", "乡镇街道"],
    )

    with pytest.raises(RosterFileError) as raised:
        read_roster([path])

    assert [(e.sheet, e.row, e.column) for e in raised.value.errors] == [
        ("企业", 1, "行业"),
        ("企业", 1, "规模"),
        ("人员", 1, "角色"),
    ]
    assert "企业 第1行 规模：缺少这一必需的列" in str(raised.value)


async def test_import_with_missing_headers_raises_and_writes_nothing(
    tmp_path: Path, session: AsyncSession, sessions: async_sessionmaker[AsyncSession]
) -> None:
    path = write_roster_xlsx(
        tmp_path / "r.xlsx",
        enterprises=[enterprise(1)],
        people=[person(1)],
        people_headers=["姓名", "角色", "乡镇街道"],
    )

    with pytest.raises(RosterFileError, match="人员 第1行 手机：缺少这一必需的列"):
        await run(session, path)
    assert set((await row_counts(sessions)).values()) == {0}


def test_wrong_missing_and_broken_files_are_all_named(tmp_path: Path) -> None:
    old_excel = tmp_path / "old.xls"
    old_excel.write_bytes(b"\xd0\xcf\x11\xe0")
    text = tmp_path / "notes.txt"
    text.write_text("hello", encoding="utf-8")
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    unknown = write_roster_csv(tmp_path / "x.csv", [{"甲": 1}], ["甲", "乙"])

    with pytest.raises(RosterFileError) as raised:
        read_roster([old_excel, text, broken, tmp_path / "missing.xlsx", unknown])

    message = str(raised.value)
    assert "old.xls：不支持的文件类型，旧版 .xls 请在 Excel 中另存为 .xlsx" in message
    assert "notes.txt：不支持的文件类型" in message
    assert "broken.xlsx：无法打开，不是有效的 .xlsx 文件" in message
    assert "missing.xlsx：找不到文件" in message
    assert "x.csv：认不出是企业表还是人员表" in message


def test_csv_in_an_unknown_encoding_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes("企业名称".encode("utf-16"))

    with pytest.raises(RosterFileError, match="无法识别文件编码"):
        read_roster([path])


def test_sheets_with_other_names_are_recognised_by_their_headers(tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Sheet1"
    sheet.append(list(ENTERPRISE_HEADERS))
    sheet.append(list(enterprise(1).values()))
    workbook.save(path)

    roster = read_roster([path])

    assert [(s.label, len(s.rows)) for s in roster.sheets] == [("企业", 1)]


def test_excel_shared_strings_and_inline_strings_read_alike(tmp_path: Path) -> None:
    normal = write_roster_xlsx(tmp_path / "normal.xlsx", enterprises=[enterprise(1)])
    streamed = tmp_path / "streamed.xlsx"
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("企业")
    sheet.append(list(ENTERPRISE_HEADERS))
    sheet.append(list(enterprise(1).values()))
    workbook.save(streamed)

    assert read_roster([normal]).sheets[0].rows == read_roster([streamed]).sheets[0].rows
