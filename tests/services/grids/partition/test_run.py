"""partition() on the real database: reruns, dry runs, staff placement."""

from collections import Counter

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import GridLevel, Industry, Role
from models.tables import Assignment, Grid
from services.grids.partition.run import partition
from tests.services.grids.world import IND, SERVICE, TRADE, World, dump, grid_of, live_staff


async def test_rerun_puts_new_enterprises_in_existing_grids_and_moves_nobody(
    session: AsyncSession, sessions: async_sessionmaker[AsyncSession]
) -> None:
    world = World(session)
    hongqiao = await world.town("虹桥镇")
    liushi = await world.town("柳市镇")
    await world.enterprises(hongqiao, IND, 45)
    await world.enterprises(hongqiao, TRADE, 3)
    await world.enterprises(liushi, TRADE, 30)
    await session.commit()

    first = await partition(session=session)

    assert [g.name for g in first.new_grids] == [
        "柳市镇·贸易网格1",
        "柳市镇·贸易网格2",
        "虹桥镇·工业网格1",
        "虹桥镇·工业网格2",
    ]
    assert first.placed == 78
    before = await grid_of(sessions)
    assert Counter(before.values()) == {
        "柳市镇·贸易网格1": 15,
        "柳市镇·贸易网格2": 15,
        "虹桥镇·工业网格1": 23,
        "虹桥镇·工业网格2": 25,
    }

    added = [
        *await world.enterprises(hongqiao, IND, 2),
        *await world.enterprises(liushi, TRADE, 1),
    ]
    await session.commit()
    second = await partition(session=session)

    after = await grid_of(sessions)
    assert {k: v for k, v in after.items() if k in before} == before
    assert [after[o.uscc] for o in added] == [
        "虹桥镇·工业网格1",
        "虹桥镇·工业网格1",
        "柳市镇·贸易网格1",
    ]
    assert second.new_grids == []
    assert second.placed == 3
    assert [(g.name, g.added) for g in second.changed_grids] == [
        ("柳市镇·贸易网格1", 1),
        ("虹桥镇·工业网格1", 2),
    ]
    async with sessions() as fresh:
        level3 = select(Grid.name, Grid.industry).where(Grid.level == GridLevel.GRID)
        kinds = dict((await fresh.exec(level3)).all())
        # The smallest grid took the 3 trade enterprises and became cross-industry.
        assert kinds == {
            "柳市镇·贸易网格1": TRADE,
            "柳市镇·贸易网格2": TRADE,
            "虹桥镇·工业网格1": IND,
            "虹桥镇·工业网格2": None,
        }


async def test_new_grids_follow_the_existing_seq_of_their_town_and_kind(
    session: AsyncSession, sessions: async_sessionmaker[AsyncSession]
) -> None:
    world = World(session)
    town = await world.town("虹桥镇")
    await world.enterprises(town, IND, 20)
    await world.enterprises(town, TRADE, 10)
    await session.commit()
    await partition(session=session)

    await world.enterprises(town, IND, 25)
    await world.enterprises(town, SERVICE, 6)
    await world.enterprises(town, Industry.REAL_ESTATE, 6)
    await session.commit()
    report = await partition(session=session)

    # 5 top up 工业网格1 to the cap; 20 left form 工业网格2; the 12 small ones a 综合网格.
    assert [(g.name, g.industry, g.size) for g in report.new_grids] == [
        ("虹桥镇·工业网格2", IND, 20),
        ("虹桥镇·综合网格1", None, 12),
    ]
    assert Counter((await grid_of(sessions)).values())["虹桥镇·工业网格1"] == 25


async def test_dry_run_writes_nothing_and_reports_the_same_plan(
    session: AsyncSession, sessions: async_sessionmaker[AsyncSession]
) -> None:
    world = World(session)
    town = await world.town("虹桥镇")
    tiny = await world.town("大荆镇")
    head = await world.person("张网格长")
    await world.assign(head, town, Role.GRID_HEAD)
    await world.enterprises(town, IND, 45)
    await world.enterprises(tiny, TRADE, 9)
    await session.commit()
    before = await dump(sessions)

    dry = await partition(session=session, dry_run=True)

    assert await dump(sessions) == before
    assert dry.dry_run
    assert dry.render().startswith("统计网格划分（试运行，未写入数据库）")
    real = await partition(session=session)
    assert not real.dry_run
    assert (dry.new_grids, dry.placed, dry.changed_grids, dry.staff_placed, dry.warnings) == (
        real.new_grids,
        real.placed,
        real.changed_grids,
        real.staff_placed,
        real.warnings,
    )
    assert await dump(sessions) != before


async def test_staff_are_spread_so_every_grid_has_a_head_and_an_instructor(
    session: AsyncSession, sessions: async_sessionmaker[AsyncSession]
) -> None:
    world = World(session)
    town = await world.town("虹桥镇")
    heads = [await world.person(name) for name in ("网格长一", "网格长二")]
    instructor = await world.person("丙")
    deputy_with_enterprise = await world.person("丁")
    other_deputy = await world.person("戊")
    for head in heads:
        await world.assign(head, town, Role.GRID_HEAD)
    awaiting = [
        await world.assign(instructor, town, Role.INSTRUCTOR),
        await world.assign(deputy_with_enterprise, town, Role.GRID_DEPUTY),
        await world.assign(other_deputy, town, Role.GRID_DEPUTY),
    ]
    await world.enterprises(town, IND, 69)
    # The 70th USCC sorts last, so this enterprise lands in the fourth grid.
    own = await world.enterprises(town, IND, 1, statistician=deputy_with_enterprise)
    await session.commit()

    report = await partition(session=session)

    grids = [f"虹桥镇·工业网格{i}" for i in range(1, 5)]
    assert (await grid_of(sessions))[own[0].uscc] == grids[3]
    staff = await live_staff(sessions)
    assert staff == {
        ("网格长一", Role.GRID_HEAD, grids[0]),
        ("网格长二", Role.GRID_HEAD, grids[1]),
        ("网格长一", Role.GRID_HEAD, grids[2]),
        ("网格长二", Role.GRID_HEAD, grids[3]),
        *(("丙", Role.INSTRUCTOR, grid) for grid in grids),
        ("丁", Role.GRID_DEPUTY, grids[3]),
        ("戊", Role.GRID_DEPUTY, grids[0]),
    }
    assert len(report.staff_placed) == 10
    assert report.warnings == []
    async with sessions() as fresh:
        ended = await fresh.exec(
            select(Assignment).where(col(Assignment.id).in_([a.id for a in awaiting]))
        )
        assert all(a.ended_at is not None for a in ended.all())
        placed = await fresh.exec(select(Assignment).where(col(Assignment.ended_at).is_(None)))
        assert not any(a.explicit for a in placed.all())


async def test_explicit_assignments_stay_and_count_and_placed_staff_never_move(
    session: AsyncSession, sessions: async_sessionmaker[AsyncSession]
) -> None:
    world = World(session)
    town = await world.town("虹桥镇")
    await world.enterprises(town, IND, 40)
    await session.commit()
    await partition(session=session)
    async with sessions() as fresh:
        first_grid = (await fresh.exec(select(Grid).where(Grid.name == "虹桥镇·工业网格1"))).one()
    named = await world.person("指定网格长")
    explicit = await world.assign(named, first_grid, Role.GRID_HEAD, explicit=True)
    town_head = await world.person("镇网格长")
    await world.assign(town_head, town, Role.GRID_HEAD)
    guide = await world.person("指导员")
    await world.assign(guide, town, Role.INSTRUCTOR)
    await session.commit()

    await partition(session=session)
    staff_after_first = await live_staff(sessions)
    assert staff_after_first == {
        ("指定网格长", Role.GRID_HEAD, "虹桥镇·工业网格1"),
        ("镇网格长", Role.GRID_HEAD, "虹桥镇·工业网格2"),
        ("指导员", Role.INSTRUCTOR, "虹桥镇·工业网格1"),
        ("指导员", Role.INSTRUCTOR, "虹桥镇·工业网格2"),
    }

    # Enough new enterprises for a third grid: it gets staff, nobody else moves.
    await world.enterprises(town, IND, 20)
    await session.commit()
    report = await partition(session=session)

    assert [g.name for g in report.new_grids] == ["虹桥镇·工业网格3"]
    assert await live_staff(sessions) == staff_after_first | {
        ("镇网格长", Role.GRID_HEAD, "虹桥镇·工业网格3"),
        ("指导员", Role.INSTRUCTOR, "虹桥镇·工业网格3"),
    }
    async with sessions() as fresh:
        kept = await fresh.get(Assignment, explicit.id)
        assert kept is not None
        assert (kept.grid_id, kept.explicit, kept.ended_at) == (first_grid.id, True, None)


async def test_grids_without_staff_and_unneeded_staff_are_warned(
    session: AsyncSession,
) -> None:
    world = World(session)
    hongqiao = await world.town("虹桥镇")
    liushi = await world.town("柳市镇")
    await world.enterprises(hongqiao, IND, 20)
    await world.enterprises(liushi, TRADE, 40)
    head = await world.person("甲")
    await world.assign(head, liushi, Role.GRID_HEAD)
    deputy = await world.person("副一")
    await world.assign(deputy, hongqiao, Role.GRID_DEPUTY)
    spare = await world.person("副二")
    await world.assign(spare, hongqiao, Role.GRID_DEPUTY)
    await session.commit()

    report = await partition(session=session)

    assert report.warnings == [
        "虹桥镇各网格均已有副网格长，副二 暂未安排网格。",
        "柳市镇：2 个网格缺少网格指导员（柳市镇·贸易网格1、柳市镇·贸易网格2）。",
        "虹桥镇：1 个网格缺少网格长（虹桥镇·工业网格1）。",
        "虹桥镇：1 个网格缺少网格指导员（虹桥镇·工业网格1）。",
    ]
    assert "提醒：" in report.render()
