"""Roster factories for tests: valid codes and mobiles by number, and roster files."""

import csv
from collections.abc import Mapping, Sequence
from pathlib import Path

import openpyxl
from stdnum.cn import uscc

from services.roster_import.vocabulary import ENTERPRISE_HEADERS, PEOPLE_HEADERS

# 91 = enterprise registered with market regulation; 330382 = 乐清市.
USCC_PREFIX = "91330382"

Cells = Mapping[str, object]


def valid_uscc(n: int) -> str:
    """A valid USCC (correct check character) that is unique for each n < 10**9."""
    body = f"{USCC_PREFIX}{n:09d}"
    return body + uscc.calc_check_digit(body)


def valid_mobile(n: int) -> str:
    """A valid mainland mobile number, unique for each n < 10**8."""
    return f"138{n:08d}"


def enterprise(n: int, **overrides: object) -> dict[str, object]:
    """A valid 企业 row; keyword arguments replace cells by their Chinese header."""
    row: dict[str, object] = {
        "企业名称": f"乐清市测试{n}电气有限公司",
        "统一社会信用代码": valid_uscc(n),
        "行业": "工业",
        "乡镇街道": "柳市镇",
        "统计员": f"统计员{n}",
        "统计员手机": valid_mobile(n),
        "规模": "四上",
    }
    row.update(overrides)
    return row


def person(n: int, role: str = "网格长", **overrides: object) -> dict[str, object]:
    """A valid 人员 row for mobile number n (distinct from enterprise(n)'s statistician)."""
    row: dict[str, object] = {
        "姓名": f"干部{n}",
        "手机": f"139{n:08d}",
        "角色": role,
        "乡镇街道": "柳市镇",
        "网格": "",
    }
    row.update(overrides)
    return row


def _records(rows: Sequence[Cells], headers: Sequence[str]) -> list[list[object]]:
    return [list(headers)] + [[row.get(h) for h in headers] for row in rows]


def write_roster_xlsx(
    path: Path,
    *,
    enterprises: Sequence[Cells] | None = None,
    people: Sequence[Cells] | None = None,
    enterprise_headers: Sequence[str] = ENTERPRISE_HEADERS,
    people_headers: Sequence[str] = PEOPLE_HEADERS,
) -> Path:
    """Write a roster workbook; a sheet given as None is left out."""
    workbook = openpyxl.Workbook()
    default = workbook.active
    if default is not None:
        workbook.remove(default)
    for title, rows, headers in (
        ("企业", enterprises, enterprise_headers),
        ("人员", people, people_headers),
    ):
        if rows is None:
            continue
        sheet = workbook.create_sheet(title)
        for record in _records(rows, headers):
            sheet.append(record)
    workbook.save(path)
    return path


def write_roster_csv(
    path: Path, rows: Sequence[Cells], headers: Sequence[str], *, encoding: str = "utf-8-sig"
) -> Path:
    with path.open("w", encoding=encoding, newline="") as file:
        csv.writer(file).writerows(_records(rows, headers))
    return path
