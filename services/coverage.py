"""Which periods a grid or a town is judged for (policy duties are owed only from when the grid
existed and the city used the system).

A grid's judged-from day is the latest of its city's go-live date (启用日期), its town's own
date (a town added later) and its own (a grid added by a later re-partition); None when none
is recorded (a database from before the go-live date existed, or a test city). A month or
quarter counts for the grid only when it begins on or after that day: the period the system
started in is not judged, because it could not be done in full. Earlier periods show as 未纳入
and nothing is sent about them. A town's hearings count likewise from its town's day.
"""

from dataclasses import dataclass, field
from datetime import date

from sqlmodel.ext.asyncio.session import AsyncSession

from core.formatting import cn_date
from models.grids import JudgingStarts, judging_starts

NOT_COVERED = "未纳入"


def _latest(*days: date | None) -> date | None:
    known = [day for day in days if day is not None]
    return max(known) if known else None


@dataclass(frozen=True)
class Coverage:
    """Judged-from days by grid and town (see the module docstring)."""

    go_live: date | None = None
    towns: dict[int, date | None] = field(default_factory=dict)
    grids: dict[int, tuple[int, date | None]] = field(default_factory=dict)

    @classmethod
    def of(cls, starts: JudgingStarts) -> "Coverage":
        return cls(starts.go_live, starts.towns, starts.grids)

    def town_from(self, town_id: int) -> date | None:
        return _latest(self.go_live, self.towns.get(town_id))

    def grid_from(self, grid_id: int) -> date | None:
        town_id, own = self.grids.get(grid_id, (0, None))
        return _latest(self.town_from(town_id), own)

    def grid_covers(self, grid_id: int, first_day: date) -> bool:
        """Whether the period beginning on `first_day` is judged for the level-3 grid."""
        start = self.grid_from(grid_id)
        return start is None or start <= first_day

    def town_covers(self, town_id: int, first_day: date) -> bool:
        """Whether the period beginning on `first_day` is judged for the town (its hearings)."""
        start = self.town_from(town_id)
        return start is None or start <= first_day


async def load_coverage(*, session: AsyncSession) -> Coverage:
    return Coverage.of(await judging_starts(session=session))


def joined_note(start: date) -> str:
    """How a surface says why earlier periods are not judged."""
    return f"{cn_date(start)}起纳入考核，此前开始的月份和季度{NOT_COVERED}"
