"""Bad rows planted in a demo roster: each reported exactly where it was planted."""

from pathlib import Path

from sqlmodel.ext.asyncio.session import AsyncSession

from services.demo_data.faults import ENTERPRISE_FAULTS, PEOPLE_FAULTS, inject_errors
from services.demo_data.roster import build_demo_roster
from services.roster_import import import_roster


def test_inject_errors_plants_every_kind_at_distinct_cells(tmp_path: Path) -> None:
    demo = build_demo_roster(tmp_path / "demo.xlsx", enterprises=300, seed=2)
    count = len(ENTERPRISE_FAULTS) + len(PEOPLE_FAULTS)

    planted = inject_errors(demo.path, tmp_path / "bad.xlsx", count=count, seed=1)

    assert {p.kind for p in planted} == {*ENTERPRISE_FAULTS, *PEOPLE_FAULTS}
    assert len({(p.sheet, p.row, p.column) for p in planted}) == count
    assert planted == inject_errors(demo.path, tmp_path / "again.xlsx", count=count, seed=1)


async def test_each_planted_fault_is_reported_where_planted(
    tmp_path: Path, session: AsyncSession
) -> None:
    demo = build_demo_roster(tmp_path / "demo.xlsx", enterprises=400, seed=8)
    planted = inject_errors(demo.path, tmp_path / "bad.xlsx", count=28, seed=8)

    report = await import_roster(session=session, paths=[tmp_path / "bad.xlsx"], city_name="乐清市")

    assert sorted((e.sheet, e.row, e.column) for e in report.errors) == sorted(
        (p.sheet, p.row, p.column) for p in planted
    )
