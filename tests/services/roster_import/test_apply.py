"""Roster import on the real database: a clean roster, re-imports and upserts, placing staff."""

from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import GridLevel, Industry, Role, Scale
from models.tables import Assignment, Grid, Person, SurveyObject
from services.demo_data.roster import build_demo_roster
from services.grids.partition.run import partition
from services.roster_import.report import (
    format_errors,
)
from tests.factories import (
    enterprise,
    person,
    valid_mobile,
    valid_uscc,
    write_roster_xlsx,
)
from tests.services.roster_import.helpers import CITY, dump, run

# --- A clean roster ----------------------------------------------------------------------------


async def test_clean_roster_creates_grids_objects_people_and_assignments(
    tmp_path: Path, session: AsyncSession
) -> None:
    path = write_roster_xlsx(
        tmp_path / "roster.xlsx",
        enterprises=[
            enterprise(1),
            enterprise(2, 乡镇街道="虹桥镇", 行业="贸易", 规模="小升规培育"),
            # An agency accountant keeps both of these.
            enterprise(3, 统计员="代账王", 统计员手机=valid_mobile(99)),
            enterprise(4, 统计员="代账王", 统计员手机=valid_mobile(99)),
        ],
        people=[
            person(10, "管理员", 乡镇街道=""),
            person(11, "一级网格长", 乡镇街道="柳市镇"),
            person(12, "二级网格长"),
            person(13, "分管负责人", 乡镇街道="虹桥镇"),
            person(14, "网格长"),
            person(15, "网格指导员"),
            # The 副网格长 is the statistician of enterprise 1: same mobile, same person.
            person(16, "副网格长", 姓名="统计员1", 手机=valid_mobile(1)),
        ],
    )

    report = await run(session, path)

    assert report.ok, format_errors(report.errors)
    assert (report.towns_created, report.enterprises_created, report.people_created) == (2, 4, 9)
    assert (report.enterprises_updated, report.enterprises_unchanged) == (0, 0)
    assert report.assignments_created == 7
    city = (await session.exec(select(Grid).where(Grid.level == GridLevel.CITY))).one()
    assert city.name == CITY
    towns = {
        g.name: g for g in await session.exec(select(Grid).where(Grid.level == GridLevel.TOWN))
    }
    assert set(towns) == {"柳市镇", "虹桥镇"}
    assert all(t.parent_id == city.id for t in towns.values())

    objects = {o.uscc: o for o in await session.exec(select(SurveyObject))}
    people = {p.mobile: p for p in await session.exec(select(Person))}
    trade = objects[valid_uscc(2)]
    assert (trade.industry, trade.scale, trade.town_id) == (
        Industry.TRADE,
        Scale.CULTIVATED,
        towns["虹桥镇"].id,
    )
    assert trade.grid_id is None
    accountant = people[valid_mobile(99)]
    assert accountant.name == "代账王"
    assert {objects[valid_uscc(n)].statistician_id for n in (3, 4)} == {accountant.id}

    placed = {
        (a.person_id, a.grid_id, a.role, a.explicit) for a in await session.exec(select(Assignment))
    }
    mobile_id = {mobile: p.id for mobile, p in people.items()}
    assert placed == {
        (mobile_id["13900000010"], city.id, Role.ADMIN, True),
        (mobile_id["13900000011"], city.id, Role.CITY_HEAD, True),
        (mobile_id["13900000012"], towns["柳市镇"].id, Role.TOWN_HEAD, True),
        (mobile_id["13900000013"], towns["虹桥镇"].id, Role.TOWN_DEPUTY, True),
        # Level-3 staff without 网格 wait on the town grid for the partition.
        (mobile_id["13900000014"], towns["柳市镇"].id, Role.GRID_HEAD, False),
        (mobile_id["13900000015"], towns["柳市镇"].id, Role.INSTRUCTOR, False),
        (mobile_id[valid_mobile(1)], towns["柳市镇"].id, Role.GRID_DEPUTY, False),
    }
    assert all(a.ended_at is None for a in await session.exec(select(Assignment)))


async def test_reimporting_the_same_roster_changes_nothing(
    tmp_path: Path, session: AsyncSession, sessions: async_sessionmaker[AsyncSession]
) -> None:
    demo = build_demo_roster(tmp_path / "demo.xlsx", towns=4, enterprises=150, seed=3)
    first = await run(session, demo.path)
    assert first.ok, format_errors(first.errors)
    before = await dump(sessions)

    again = await run(session, demo.path)

    assert again.ok
    assert await dump(sessions) == before
    assert (again.towns_created, again.enterprises_created, again.enterprises_updated) == (0, 0, 0)
    assert (again.people_created, again.assignments_created, again.assignments_updated) == (0, 0, 0)
    assert again.enterprises_unchanged == 150
    assert "新增 0 家，更新 0 家，未变 150 家" in again.summary()


async def test_reimport_after_the_partition_changes_nothing(
    tmp_path: Path, session: AsyncSession, sessions: async_sessionmaker[AsyncSession]
) -> None:
    demo = build_demo_roster(tmp_path / "demo.xlsx", towns=6, enterprises=300, seed=5)
    assert (await run(session, demo.path)).ok
    async with sessions() as other:
        await partition(session=other)
    before = await dump(sessions)

    again = await run(session, demo.path)

    assert (again.enterprises_updated, again.assignments_created) == (0, 0)
    assert again.assignments_updated == 0
    assert await dump(sessions) == before


async def test_reimport_updates_changed_enterprises_and_keeps_the_rest(
    tmp_path: Path, session: AsyncSession
) -> None:
    rows = [enterprise(n) for n in range(1, 4)]
    await run(session, write_roster_xlsx(tmp_path / "v1.xlsx", enterprises=rows))
    town = (await session.exec(select(Grid).where(Grid.name == "柳市镇"))).one()
    grid = Grid(level=GridLevel.GRID, name="柳市镇·工业网格1", parent_id=town.id, seq=1)
    session.add(grid)
    await session.commit()
    grid_id = grid.id
    for obj in await session.exec(select(SurveyObject)):
        obj.grid_id = grid_id
        session.add(obj)
    await session.commit()

    rows[0] = enterprise(1, 统计员="新统计员", 统计员手机=valid_mobile(50))
    rows[1] = enterprise(2, 乡镇街道="虹桥镇")
    report = await run(session, write_roster_xlsx(tmp_path / "v2.xlsx", enterprises=rows))

    assert report.ok, format_errors(report.errors)
    assert (report.enterprises_updated, report.enterprises_unchanged) == (2, 1)
    assert (report.people_created, report.towns_created) == (1, 1)
    session.expire_all()
    objects = {o.uscc: o for o in await session.exec(select(SurveyObject))}
    newcomer = (await session.exec(select(Person).where(Person.mobile == valid_mobile(50)))).one()
    assert objects[valid_uscc(1)].statistician_id == newcomer.id
    # Same town: the object stays in its grid. New town: the partition must place it again.
    assert objects[valid_uscc(1)].grid_id == grid_id
    assert objects[valid_uscc(2)].grid_id is None
    assert objects[valid_uscc(3)].grid_id == grid_id


async def test_people_sheet_alone_can_be_imported_later(
    tmp_path: Path, session: AsyncSession
) -> None:
    await run(session, write_roster_xlsx(tmp_path / "e.xlsx", enterprises=[enterprise(1)]))

    report = await run(
        session, write_roster_xlsx(tmp_path / "p.xlsx", people=[person(1, "二级网格长")])
    )

    assert report.ok, format_errors(report.errors)
    assert (report.people_created, report.assignments_created, report.towns_created) == (1, 1, 0)


# --- Placement of level-3 staff ----------------------------------------------------------------


async def _town_with_grid(tmp_path: Path, session: AsyncSession) -> tuple[Grid, Grid]:
    await run(session, write_roster_xlsx(tmp_path / "e.xlsx", enterprises=[enterprise(1)]))
    town = (await session.exec(select(Grid).where(Grid.name == "柳市镇"))).one()
    grid = Grid(level=GridLevel.GRID, name="柳市镇·工业网格1", parent_id=town.id, seq=1)
    session.add(grid)
    await session.commit()
    return town, grid


@pytest.mark.parametrize("grid_text", ["工业网格1", "柳市镇·工业网格1", " 柳市镇・工业网格１ "])
async def test_named_grid_gets_an_explicit_assignment(
    tmp_path: Path, session: AsyncSession, grid_text: str
) -> None:
    _, grid = await _town_with_grid(tmp_path, session)

    report = await run(
        session, write_roster_xlsx(tmp_path / "p.xlsx", people=[person(1, 网格=grid_text)])
    )

    assert report.ok, format_errors(report.errors)
    assignment = (await session.exec(select(Assignment))).one()
    assert (assignment.grid_id, assignment.role, assignment.explicit) == (
        grid.id,
        Role.GRID_HEAD,
        True,
    )


async def test_naming_the_grid_later_moves_the_waiting_assignment(
    tmp_path: Path, session: AsyncSession
) -> None:
    town, grid = await _town_with_grid(tmp_path, session)
    town_id, grid_id = town.id, grid.id
    await run(session, write_roster_xlsx(tmp_path / "p1.xlsx", people=[person(1)]))
    waiting = (await session.exec(select(Assignment))).one()
    waiting_id = waiting.id
    assert (waiting.grid_id, waiting.explicit) == (town_id, False)

    report = await run(
        session, write_roster_xlsx(tmp_path / "p2.xlsx", people=[person(1, 网格="工业网格1")])
    )

    assert (report.assignments_created, report.assignments_updated) == (0, 1)
    session.expire_all()
    moved = (await session.exec(select(Assignment))).one()
    assert (moved.id, moved.grid_id, moved.explicit) == (waiting_id, grid_id, True)


async def test_staff_already_placed_in_the_town_are_left_alone(
    tmp_path: Path, session: AsyncSession, sessions: async_sessionmaker[AsyncSession]
) -> None:
    _, grid = await _town_with_grid(tmp_path, session)
    await run(session, write_roster_xlsx(tmp_path / "p.xlsx", people=[person(1)]))
    # What the partition does: move the waiting 网格长 onto a level-3 grid.
    waiting = (await session.exec(select(Assignment))).one()
    waiting.grid_id = grid.id
    session.add(waiting)
    await session.commit()
    before = await dump(sessions)

    report = await run(session, write_roster_xlsx(tmp_path / "p.xlsx", people=[person(1)]))

    assert report.ok
    assert report.assignments_created == 0
    assert await dump(sessions) == before


async def test_cross_town_grids_count_for_the_towns_they_serve(
    tmp_path: Path, session: AsyncSession, sessions: async_sessionmaker[AsyncSession]
) -> None:
    roster = [enterprise(1), enterprise(2, 乡镇街道="虹桥镇")]
    await run(session, write_roster_xlsx(tmp_path / "e.xlsx", enterprises=roster))
    towns = {
        g.name: g for g in await session.exec(select(Grid).where(Grid.level == GridLevel.TOWN))
    }
    # A grid parented by 柳市镇 that also holds 虹桥镇's enterprise.
    shared = Grid(
        level=GridLevel.GRID,
        name="柳市镇·跨区域网格1",
        parent_id=towns["柳市镇"].id,
        seq=1,
        cross_town=True,
    )
    session.add(shared)
    await session.commit()
    shared_id = shared.id
    for obj in await session.exec(select(SurveyObject)):
        obj.grid_id = shared_id
        session.add(obj)
    await session.commit()

    named = await run(
        session,
        write_roster_xlsx(
            tmp_path / "p.xlsx",
            people=[
                person(1, 乡镇街道="虹桥镇", 网格="柳市镇·跨区域网格1"),
                person(2, 乡镇街道="虹桥镇"),
            ],
        ),
    )
    assert named.ok, format_errors(named.errors)
    waiting = (
        await session.exec(
            select(Assignment).where(
                Assignment.role == Role.GRID_HEAD, Assignment.grid_id == towns["虹桥镇"].id
            )
        )
    ).one()
    waiting.grid_id = shared_id
    session.add(waiting)
    await session.commit()
    before = await dump(sessions)

    again = await run(
        session,
        write_roster_xlsx(
            tmp_path / "p.xlsx",
            people=[person(1, 乡镇街道="虹桥镇", 网格="跨区域网格1"), person(2, 乡镇街道="虹桥镇")],
        ),
    )

    assert (again.assignments_created, again.assignments_updated) == (0, 0)
    assert await dump(sessions) == before


async def test_ended_assignments_do_not_count_as_placed(
    tmp_path: Path, session: AsyncSession
) -> None:
    town, _ = await _town_with_grid(tmp_path, session)
    await run(session, write_roster_xlsx(tmp_path / "p.xlsx", people=[person(1, "二级网格长")]))
    old = (await session.exec(select(Assignment))).one()
    old.ended_at = old.started_at
    session.add(old)
    await session.commit()

    report = await run(
        session, write_roster_xlsx(tmp_path / "p.xlsx", people=[person(1, "二级网格长")])
    )

    assert report.assignments_created == 1
    live = (await session.exec(select(Assignment).where(col(Assignment.ended_at).is_(None)))).one()
    assert live.grid_id == town.id
