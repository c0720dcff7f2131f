"""The 催报 figures, defined once (scorecards, the ledger, the bench): of the items a period's
exports listed, how many were resolved (a later export no longer listed them), and how many of
those were resolved by their deadline (timely; an item without a deadline counts as timely
when resolved)."""

from dataclasses import dataclass
from datetime import datetime

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


def figures_of(items: list[ChaseItem]) -> ChaseFigures:
    return ChaseFigures(
        items=len(items),
        resolved=sum(1 for i in items if i.state is ChaseState.RESOLVED),
        timely=sum(1 for i in items if timely(i.resolved_at, i.deadline)),
        open=sum(1 for i in items if i.state is ChaseState.OPEN),
        declared=sum(1 for i in items if i.state is ChaseState.DECLARED),
        discrepancies=sum(
            1 for i in items if i.discrepancy_at is not None and i.state is not ChaseState.RESOLVED
        ),
    )
