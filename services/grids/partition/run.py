"""A partition run on the database: load in bulk, plan, write in bulk, all in one transaction."""

from collections.abc import Sequence
from datetime import UTC, date, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import GridLevel
from models.partition import (
    GridSlot,
    NewGridRow,
    add_grid_staff,
    end_assignments,
    grid_slots,
    insert_level3_grids,
    lock_partition,
    open_staff_slots,
    place_survey_objects,
    set_grid_kinds,
    survey_object_slots,
)
from services.audit import Actor, AuditAction, record
from services.grids.partition.plan import plan_partition
from services.grids.partition.report import PartitionPlan, PartitionReport
from services.grids.partition.sizes import DEFAULT_SIZES, PartitionSettings


async def partition(
    *,
    session: AsyncSession,
    settings: PartitionSettings = DEFAULT_SIZES,
    dry_run: bool = False,
    today: date | None = None,
    actor: Actor | None = None,
) -> PartitionReport:
    """Divide unplaced survey objects into grids and place staff (rules: .objects, .staff).

    Loads in bulk, plans, writes in bulk and commits, all in one transaction; any error rolls
    it back. With `dry_run` it returns the same report and neither writes nor commits. Bulk
    writes bypass the identity map: ORM objects loaded earlier in this session keep old values.
    Grids created when the city already has level-3 grids (a re-partition) are judged from
    `today` (the city's local date; UTC's if None); the first partition's from go-live.
    """
    try:
        if not dry_run:
            await lock_partition(session=session)
        grids = await grid_slots(session=session)
        objects = await survey_object_slots(session=session)
        staff = await open_staff_slots(session=session)
        plan = plan_partition(grids=grids, objects=objects, staff=staff, settings=settings)
        if not dry_run:
            await _apply(session=session, plan=plan, grids=grids, today=today)
            if actor is not None:
                report = plan.report(dry_run=False)
                await record(
                    session=session,
                    actor=actor,
                    action=AuditAction.PARTITION,
                    summary=(
                        f"新建三级网格 {len(report.new_grids)} 个，划入企业 {report.placed} 家，"
                        f"调整网格 {len(report.changed_grids)} 个，"
                        f"安排人员 {len(report.staff_placed)} 人次"
                    ),
                    now=datetime.now(UTC),
                )
            await session.commit()
    except BaseException:
        await session.rollback()
        raise
    return plan.report(dry_run=dry_run)


async def _apply(
    *, session: AsyncSession, plan: PartitionPlan, grids: Sequence[GridSlot], today: date | None
) -> None:
    now = datetime.now(UTC)
    grid_ids = {g.name: g.id for g in grids}
    grid_ids |= await insert_level3_grids(
        session=session,
        grids=[
            NewGridRow(g.name, g.parent_id, g.industry, g.seq, g.cross_town) for g in plan.new_grids
        ],
        created_at=now,
        started_on=(today or now.date()) if any(g.level == GridLevel.GRID for g in grids) else None,
    )
    await set_grid_kinds(session=session, kinds=plan.grid_kinds)
    await place_survey_objects(
        session=session,
        grid_by_object={o: grid_ids[name] for o, name in plan.placements.items()},
    )
    await add_grid_staff(
        session=session,
        staff=[(person_id, grid_ids[name], role) for person_id, name, role in plan.staff],
        started_at=now,
    )
    await end_assignments(session=session, assignment_ids=plan.ended_assignments, ended_at=now)
