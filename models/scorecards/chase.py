"""The 催报 figures, defined once (the scorecards, /chase, the 催报台账): of the items a period's
exports listed, how many were resolved (a later export no longer listed them), and how many of
those were resolved by their deadline (timely; an item without a deadline counts as timely
when resolved)."""

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from models.db import select_rows
from models.tables import SurveyObject
from models.tables.chase import ChaseItem, ChaseState


@dataclass(frozen=True)
class ChaseFigures:
    items: int = 0
    resolved: int = 0
    timely: int = 0
    open: int = 0
    declared: int = 0
    discrepancies: int = 0

    @property
    def resolution_rate(self) -> float | None:
        return self.resolved / self.items if self.items else None

    @property
    def timely_rate(self) -> float | None:
        return self.timely / self.items if self.items else None

    def __add__(self, other: "ChaseFigures") -> "ChaseFigures":
        return ChaseFigures(
            self.items + other.items,
            self.resolved + other.resolved,
            self.timely + other.timely,
            self.open + other.open,
            self.declared + other.declared,
            self.discrepancies + other.discrepancies,
        )


def timely(resolved_at: datetime | None, deadline: datetime | None) -> bool:
    return resolved_at is not None and (deadline is None or resolved_at <= deadline)


# (state, resolved_at, deadline, flagged as a discrepancy) of one item.
ItemFacts = tuple[ChaseState, datetime | None, datetime | None, bool]


def _figures(rows: Iterable[ItemFacts]) -> ChaseFigures:
    items = resolved = on_time = opened = declared = flagged = 0
    for state, resolved_at, deadline, discrepancy in rows:
        items += 1
        resolved += state is ChaseState.RESOLVED
        on_time += timely(resolved_at, deadline)
        opened += state is ChaseState.OPEN
        declared += state is ChaseState.DECLARED
        flagged += discrepancy and state is not ChaseState.RESOLVED
    return ChaseFigures(items, resolved, on_time, opened, declared, flagged)


def figures_of(items: Sequence[ChaseItem]) -> ChaseFigures:
    return _figures(
        (i.state, i.resolved_at, i.deadline, i.discrepancy_at is not None) for i in items
    )


async def chase_by_grid(
    *, session: AsyncSession, periods: Sequence[str], grid_ids: Collection[int] | None
) -> dict[int, ChaseFigures]:
    """The figures of each level-3 grid over the items of these reporting periods (2026-11)."""
    if not periods:
        return {}
    statement = (
        sa.select(
            col(SurveyObject.grid_id),
            col(ChaseItem.state),
            col(ChaseItem.resolved_at),
            col(ChaseItem.deadline),
            col(ChaseItem.discrepancy_at).is_not(None),
        )
        .join(SurveyObject, col(SurveyObject.id) == col(ChaseItem.survey_object_id))
        .where(col(ChaseItem.period).in_(list(periods)), col(SurveyObject.grid_id).is_not(None))
    )
    if grid_ids is not None:
        statement = statement.where(col(SurveyObject.grid_id).in_(list(grid_ids)))
    by_grid: dict[int, list[ItemFacts]] = defaultdict(list)
    for grid_id, state, resolved_at, deadline, flagged in await select_rows(session, statement):
        by_grid[grid_id].append((state, resolved_at, deadline, bool(flagged)))
    return {grid_id: _figures(rows) for grid_id, rows in by_grid.items()}
