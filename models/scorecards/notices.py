"""Notices as the figures count them: a copy counts for the grids of the notice's target
(Notice.target_grid_id: a level-3 grid, a town's grids, or every grid for the city) that its
recipient belongs to; once per grid, but once only in a town and in the city (a statistician
serving two grids of a town holds one copy, not two). Confirmation is [已阅], and its time
the seconds from sending to it; medians are exact (the mean of the two middle values for an
even count)."""

import statistics
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from models.scorecards.grids import fetch_all, grid_members, only_grids
from models.tables import Grid, Notice, NoticeRecipient


@dataclass(frozen=True, slots=True)
class NoticeCounts:
    # Copies counted, and how many of them were confirmed.
    recipients: int = 0
    confirmed: int = 0
    # The median seconds from sending to [已阅] over the confirmed copies; None: none.
    median_seconds: float | None = None


@dataclass(frozen=True, slots=True)
class NoticeFigures:
    """Copies counted per grid, per town (each copy once) and for the city (each copy once)."""

    grids: dict[int, NoticeCounts]
    towns: dict[int, NoticeCounts]
    city: NoticeCounts


def seconds_between(start: Any, end: Any, dialect: str) -> sa.ColumnElement[Any]:
    """end - start in seconds (NULL when either is NULL)."""
    if dialect == "postgresql":
        return sa.extract("epoch", end - start)
    return (sa.func.julianday(end) - sa.func.julianday(start)) * 86400.0


def _joined(values: Any, dialect: str) -> sa.ColumnElement[Any]:
    """The non-NULL `values` of a group as one comma-separated text."""
    if dialect == "postgresql":
        return sa.func.string_agg(sa.cast(values, sa.Text), ",")
    return sa.func.group_concat(values, ",")


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


async def notice_figures(
    *,
    session: AsyncSession,
    start: datetime,
    end: datetime,
    grid_ids: Collection[int] | None = None,
) -> NoticeFigures:
    """Copies of notices sent in [start, end) to grid members *for their grids*, and how fast
    they were confirmed; per grid, per town and for the city (`grid_ids`: only those grids).
    Copies to people in no counted grid (e.g. town staff) count nowhere.

    A city's year is a quarter of a million copies: the database groups them by recipient and
    target (their confirmation times joined into one text), and the groups are mapped to grids
    here, so that no row per copy is built."""
    members = grid_members()
    places: dict[int, list[tuple[int, int]]] = defaultdict(list)
    pairs = only_grids(
        sa.select(members.c.grid_id, members.c.person_id, col(Grid.parent_id)).join(
            Grid, col(Grid.id) == members.c.grid_id
        ),
        members.c.grid_id,
        grid_ids,
    )
    for grid_id, person_id, town_id in await fetch_all(session, pairs):
        places[person_id].append((grid_id, town_id or 0))
    dialect = (await session.connection()).dialect.name
    took = seconds_between(col(Notice.created_at), col(NoticeRecipient.confirmed_at), dialect)
    statement = (
        sa.select(
            col(NoticeRecipient.person_id),
            col(Notice.target_grid_id),
            sa.func.count(),
            _joined(took, dialect),
        )
        .join(Notice, col(Notice.id) == col(NoticeRecipient.notice_id))
        .where(col(Notice.created_at) >= start, col(Notice.created_at) < end)
        .group_by(col(NoticeRecipient.person_id), col(Notice.target_grid_id))
    )
    if grid_ids is not None:
        statement = statement.where(col(NoticeRecipient.person_id).in_(list(places)))
    copies: dict[Any, int] = defaultdict(int)
    seconds: dict[Any, list[float]] = defaultdict(list)
    for person_id, target, count, joined in await fetch_all(session, statement):
        counted = [
            (grid_id, town_id)
            for grid_id, town_id in places.get(person_id, ())
            if target is None or target in (grid_id, town_id)
        ]
        if not counted:
            continue
        values = [float(v) for v in joined.split(",")] if joined else []
        # Once in each grid counted, once in each town among them, once in the city.
        keys = [("grid", g) for g, _ in counted] + [("town", t) for t in {t for _, t in counted}]
        for key in (*keys, ("city", 0)):
            copies[key] += count
            seconds[key] += values
    figures = {
        key: NoticeCounts(total, len(seconds[key]), _median(seconds[key]))
        for key, total in copies.items()
    }
    return NoticeFigures(
        grids={k: v for (kind, k), v in figures.items() if kind == "grid"},
        towns={k: v for (kind, k), v in figures.items() if kind == "town"},
        city=figures.get(("city", 0), NoticeCounts()),
    )


async def notice_confirmations(
    *,
    session: AsyncSession,
    start: datetime,
    end: datetime,
    grid_ids: Collection[int] | None = None,
) -> dict[int, NoticeCounts]:
    """Grid id -> copies of notices sent in [start, end) for the grid (see notice_figures)."""
    figures = await notice_figures(session=session, start=start, end=end, grid_ids=grid_ids)
    return figures.grids
