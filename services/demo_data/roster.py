"""Writing a demo city as a roster .xlsx, the 企业 and 人员 sheets an import reads."""

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import openpyxl

from models.enums import Role
from services.demo_data.city import generate_city
from services.roster_import.vocabulary import ENTERPRISE_HEADERS, PEOPLE_HEADERS, SheetKind


@dataclass(frozen=True)
class DemoPerson:
    name: str
    mobile: str
    # Role values as users read them; 网格员 for a statistician.
    roles: list[str]
    town: str | None


@dataclass(frozen=True)
class DemoRoster:
    path: Path
    towns: list[str]
    enterprise_count: int
    people: list[DemoPerson]


def write_workbook(path: Path, sheets: Sequence[tuple[str, Sequence[Sequence[object]]]]) -> None:
    # Write-only mode streams rows, so a 10,000-enterprise roster stays fast and small in memory.
    workbook = openpyxl.Workbook(write_only=True)
    for title, records in sheets:
        sheet = workbook.create_sheet(title)
        sheet.freeze_panes = "A2"
        for record in records:
            sheet.append(list(record))
    workbook.save(path)


def build_demo_roster(
    path: Path, *, towns: int = 8, enterprises: int = 400, seed: int = 7
) -> DemoRoster:
    """Write a realistic roster .xlsx (企业 and 人员 sheets) at `path`; the same seed gives the
    same file. Level-3 staff have no 网格, so the partition places them."""
    city = generate_city(towns=towns, enterprises=enterprises, seed=seed)
    all_enterprises, staff = city.enterprises, city.staff

    enterprise_records = [
        [
            e.name,
            e.uscc,
            e.industry.value,
            e.town,
            e.statistician.name,
            e.statistician.mobile,
            e.scale.value,
        ]
        for e in all_enterprises
    ]
    # 网格员 are the statisticians of the 企业 sheet, not rows of the 人员 sheet.
    people_records = [
        [person.name, person.mobile, role, person.town or "", ""]
        for person in staff
        for role in person.roles
        if role != Role.MEMBER.value
    ]
    write_workbook(
        path,
        [
            (SheetKind.ENTERPRISES.value, [list(ENTERPRISE_HEADERS), *enterprise_records]),
            (SheetKind.PEOPLE.value, [list(PEOPLE_HEADERS), *people_records]),
        ],
    )
    everyone = {p.mobile: p for p in staff} | {
        e.statistician.mobile: e.statistician for e in all_enterprises
    }
    people = [
        DemoPerson(p.name, p.mobile, list(dict.fromkeys(p.roles)), p.town)
        for p in everyone.values()
    ]
    return DemoRoster(path, city.towns, len(all_enterprises), people)
