"""The synthetic roster: valid, realistic, deterministic, and importable as it is."""

import re
from collections import Counter
from pathlib import Path

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession
from stdnum.cn import uscc

from models.enums import Industry, Role
from models.tables import Person
from services.demo_data.city import LEQING_TOWNS
from services.demo_data.roster import build_demo_roster
from services.roster_import import import_roster
from services.roster_import.read import read_roster
from services.roster_import.report import format_errors
from services.roster_import.vocabulary import SheetKind


def _rows(path: Path, kind: SheetKind) -> list[dict[str, str]]:
    (sheet,) = read_roster([path]).of_kind(kind)
    return [dict(row.cells) for row in sheet.rows]


def test_demo_roster_is_valid_and_realistic(tmp_path: Path) -> None:
    demo = build_demo_roster(tmp_path / "demo.xlsx", towns=8, enterprises=400, seed=7)
    enterprises = _rows(demo.path, SheetKind.ENTERPRISES)
    people = _rows(demo.path, SheetKind.PEOPLE)

    assert demo.enterprise_count == len(enterprises) == 400
    assert demo.towns == list(LEQING_TOWNS[:8])
    assert all(uscc.is_valid(row["统一社会信用代码"]) for row in enterprises)
    assert len({row["统一社会信用代码"] for row in enterprises}) == 400
    assert len({row["企业名称"] for row in enterprises}) == 400
    mobiles = {p.mobile for p in demo.people}
    assert len(mobiles) == len(demo.people)
    assert all(re.fullmatch(r"1[3-9]\d{9}", mobile) for mobile in mobiles)

    industries = Counter(row["行业"] for row in enterprises)
    assert industries.most_common(1)[0][0] == Industry.INDUSTRY
    assert industries[Industry.INDUSTRY] > 200
    # Every town has some thin industry that cannot fill a grid of about 20 on its own.
    for town in demo.towns:
        in_town = Counter(row["行业"] for row in enterprises if row["乡镇街道"] == town)
        assert min(in_town.values()) < 20
    kept = Counter(row["统计员手机"] for row in enterprises)
    assert max(kept.values()) in (3, 4, 5)

    roles = Counter(row["角色"] for row in people)
    assert roles[Role.ADMIN] == roles[Role.CITY_HEAD] == 1
    assert roles[Role.TOWN_HEAD] == roles[Role.TOWN_DEPUTY] == 8
    assert roles[Role.GRID_HEAD] >= 8
    assert roles[Role.INSTRUCTOR] >= 8
    assert all(not row.get("网格") for row in people)
    statisticians = {(row["统计员"], row["统计员手机"]) for row in enterprises}
    deputies = {(row["姓名"], row["手机"]) for row in people if row["角色"] == Role.GRID_DEPUTY}
    assert deputies
    assert deputies <= statisticians

    by_mobile = {p.mobile: p for p in demo.people}
    for name, mobile in deputies:
        assert by_mobile[mobile].name == name
        assert by_mobile[mobile].roles == [Role.MEMBER.value, Role.GRID_DEPUTY.value]
    admin = next(p for p in demo.people if Role.ADMIN.value in p.roles)
    assert admin.town is None


def test_same_seed_same_roster_other_seed_other_roster(tmp_path: Path) -> None:
    first = build_demo_roster(tmp_path / "a.xlsx", enterprises=120, seed=1)
    again = build_demo_roster(tmp_path / "b.xlsx", enterprises=120, seed=1)
    other = build_demo_roster(tmp_path / "c.xlsx", enterprises=120, seed=2)

    for kind in SheetKind:
        assert _rows(first.path, kind) == _rows(again.path, kind)
        assert _rows(first.path, kind) != _rows(other.path, kind)
    assert first.people == again.people


def test_many_towns_and_few_enterprises_still_work(tmp_path: Path) -> None:
    demo = build_demo_roster(tmp_path / "d.xlsx", towns=30, enterprises=31, seed=4)

    enterprises = _rows(demo.path, SheetKind.ENTERPRISES)
    assert {row["乡镇街道"] for row in enterprises} == set(demo.towns)


async def test_demo_roster_imports_cleanly(tmp_path: Path, session: AsyncSession) -> None:
    demo = build_demo_roster(tmp_path / "demo.xlsx", towns=5, enterprises=300, seed=9)

    report = await import_roster(session=session, paths=[demo.path], city_name="乐清市")

    assert report.ok, format_errors(report.errors)
    assert report.enterprises_created == 300
    assert report.towns_created == 5
    stored = {p.mobile: p.name for p in await session.exec(select(Person))}
    assert stored == {p.mobile: p.name for p in demo.people}
