"""The 催报 line of a scorecard (/stats): the figures of models.scorecards.chase in words."""

from models.scorecards.chase import ChaseFigures
from services.chase import texts


def _pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate:.0%}"


def chase_line(figures: ChaseFigures) -> str:
    return texts.STATS_CHASE.format(
        items=figures.items,
        resolved=figures.resolved,
        rate=_pct(figures.resolution_rate),
        timely=figures.timely,
        timely_rate=_pct(figures.timely_rate),
    )
