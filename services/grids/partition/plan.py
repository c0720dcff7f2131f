"""Planning a partition run from plain data, without the database."""

from collections.abc import Sequence

from models.partition import GridSlot, StaffSlot, SurveyObjectSlot
from services.grids.partition.objects import ObjectPlanner
from services.grids.partition.report import GridGrowth, PartitionPlan, PlannedGrid
from services.grids.partition.sizes import DEFAULT_SIZES, PartitionSettings
from services.grids.partition.staff import place_staff


def plan_partition(
    *,
    grids: Sequence[GridSlot],
    objects: Sequence[SurveyObjectSlot],
    staff: Sequence[StaffSlot] = (),
    settings: PartitionSettings = DEFAULT_SIZES,
) -> PartitionPlan:
    """Plan a partition run from plain data; same input (in any order) gives the same plan."""
    planner = ObjectPlanner(grids=grids, objects=objects, settings=settings)
    planner.place_objects()
    staffing = place_staff(planner, staff)
    new_grids = [
        PlannedGrid(
            name=g.name,
            parent_id=g.parent_id,
            town=planner.town_names[g.parent_id],
            industry=g.industry,
            seq=g.seq or 0,
            cross_town=g.cross_town,
            members=tuple(g.added),
        )
        for g in planner.ordered_grids()
        if g.id is None
    ]
    existing = [g for g in planner.ordered_grids() if g.id is not None and g.added]
    return PartitionPlan(
        new_grids=new_grids,
        placements={o: g.name for g in planner.ordered_grids() for o in g.added},
        grid_kinds={
            g.id: (g.industry, g.cross_town)
            for g in existing
            if g.id is not None and (g.industry, g.cross_town) != planner.original_kinds[g.name]
        },
        changed_grids=[GridGrowth(g.name, len(g.added)) for g in existing],
        staff=staffing.rows,
        staff_placed=staffing.placed,
        ended_assignments=sorted(staffing.ended),
        warnings=planner.warnings + staffing.warnings,
    )
