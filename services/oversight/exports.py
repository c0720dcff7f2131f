"""Excel 台账 for inspection: activities with attendance, notice confirmation lists, monthly
reports with the towns' hearings, the question log, and a year's evaluation and funding, for a
period (month "2026-11", quarter "2026Q4" or year "2026") and a scope (the city, some towns,
some grids). Each export is one .xlsx workbook as bytes; times are in the given time zone.
"""

import asyncio
import functools
import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, tzinfo
from enum import StrEnum

from sqlmodel.ext.asyncio.session import AsyncSession

from models import exports as queries
from models.exports import GridPlace
from services.access import Viewer
from services.duties.config import DutiesConfig, load_duties
from services.duties.status import CITY, Scope, scope_of
from services.oversight import periods, texts
from services.oversight.evaluation.config import EvaluationConfigError, load_evaluation_config
from services.oversight.evaluation.confirmation import evaluation_for_year
from services.oversight.evaluation.sheet import evaluation_xlsx
from services.oversight.evaluation.towns import town_hearings
from services.oversight.funding import funding_ledger, funding_xlsx
from services.oversight.ledgers.activities import activity_sheets
from services.oversight.ledgers.notices import notice_sheets
from services.oversight.ledgers.questions import question_sheets
from services.oversight.ledgers.reports import report_sheets
from services.oversight.ledgers.sheets import workbook
from services.oversight.periods import Period

# Told each step of a long export as it begins (a Chinese line), e.g. to edit a chat message.
Progress = Callable[[str], Awaitable[None]]


async def _quiet(_step: str) -> None:
    return None


class ExportKind(StrEnum):
    ACTIVITIES = "activities"
    NOTICES = "notices"
    REPORTS = "reports"
    QUESTIONS = "questions"
    # The EVALUATION helper's workbooks, for a year, filtered to the scope.
    EVALUATION = "evaluation"
    FUNDING = "funding"


YEARLY_KINDS = frozenset({ExportKind.EVALUATION, ExportKind.FUNDING})


class ExportError(ValueError):
    """A period or scope that cannot be exported; the message is Chinese, for users."""


def parse_period(text: str) -> Period:
    """ "2026-11" (month), "2026Q4" (quarter) or "2026" (year), as the scorecards read them."""
    try:
        period = periods.parse_period(text)
    except periods.PeriodError:
        raise ExportError(texts.EXPORT_BAD_PERIOD.format(period=text)) from None
    return period


def recent_periods(today: date) -> list[str]:
    """What /export offers: this and last month, this and last quarter, this and last year."""
    last_month = (
        date(today.year - 1, 12, 1)
        if today.month == 1
        else today.replace(month=today.month - 1, day=1)
    )
    quarter = (today.month - 1) // 3 + 1
    last_quarter = (today.year - 1, 4) if quarter == 1 else (today.year, quarter - 1)
    return [
        f"{today:%Y-%m}",
        f"{last_month:%Y-%m}",
        f"{today.year}Q{quarter}",
        f"{last_quarter[0]}Q{last_quarter[1]}",
        str(today.year),
        str(today.year - 1),
    ]


@dataclass(frozen=True)
class Export:
    """A written workbook: what to call the file, its bytes, and how many data rows."""

    filename: str
    content: bytes
    rows: int


def scope_for_town(town_id: int) -> Scope:
    return Scope(town_ids=frozenset({town_id}), whole_towns=frozenset({town_id}))


def scope_for_grid(place: GridPlace) -> Scope:
    return Scope(town_ids=frozenset({place.town_id}), grid_ids=frozenset({place.grid_id}))


async def _yearly(
    session: AsyncSession,
    kind: ExportKind,
    period: Period,
    scope: Scope,
    tz: tzinfo,
    now: datetime | None,
    duties: DutiesConfig | None = None,
) -> tuple[bytes, int]:
    if (period.first_month, period.last_month) != (1, 12):
        raise ExportError(texts.EXPORT_YEAR_ONLY.format(kind=texts.EXPORT_KIND_NAMES[kind.value]))
    year = period.year
    try:
        used = duties if duties is not None else await asyncio.to_thread(load_duties)
        config = await asyncio.to_thread(
            functools.partial(
                load_evaluation_config, yearly_target_hours=used.education.yearly_target_hours
            )
        )
    except EvaluationConfigError as exc:
        raise ExportError(str(exc)) from exc
    if kind == ExportKind.EVALUATION:
        outcome = await evaluation_for_year(
            session=session, year=year, config=config, as_of=now, tz=tz
        )
        kept = [e for e in outcome.evaluations if scope.covers(e.town_id, e.grid_id)]
        hearings = [
            t
            for t in await town_hearings(session=session, year=year, duties=used, tz=tz, as_of=now)
            if scope.town_ids is None or t.town_id in scope.whole_towns
        ]
        content = await asyncio.to_thread(
            functools.partial(
                evaluation_xlsx, replace(outcome, evaluations=kept), config, tz=tz, towns=hearings
            )
        )
        return content, len(kept)
    if scope.town_ids is not None and not scope.whole_towns:
        # Funding is per town: grid staff have no town to see.
        raise ExportError(texts.EXPORT_FUNDING_TOWNS_ONLY)
    ledger = await funding_ledger(session=session, year=year, config=config, tz=tz)
    if scope.town_ids is not None:
        towns = [t for t in ledger.towns if t.town_id in scope.whole_towns]
        names = {t.town_name for t in towns}
        ledger = replace(
            ledger,
            towns=towns,
            objects=[o for o in ledger.objects if o.town_name in names],
            total_label="合计",
        )
    content = await asyncio.to_thread(funding_xlsx, ledger)
    return content, len(ledger.towns)


_LEDGERS = {
    ExportKind.ACTIVITIES: activity_sheets,
    ExportKind.NOTICES: notice_sheets,
    ExportKind.REPORTS: report_sheets,
    ExportKind.QUESTIONS: question_sheets,
}


async def build_export(
    *,
    session: AsyncSession,
    kind: ExportKind,
    period: Period,
    tz: tzinfo,
    scope: Scope = CITY,
    scope_label: str = "",
    now: datetime | None = None,
    duties: DutiesConfig | None = None,
    progress: Progress | None = None,
) -> Export:
    """One workbook of `kind` for `period`, holding only what `scope` covers. `now` (for the
    evaluation of a year still running) counts only what has fallen due by then; `duties` is
    the duties configuration (its study target and hearing days; default: the shipped one).
    `progress` is told each step (reading, then writing so many rows) as it begins."""
    label = f"_{scope_label}" if scope_label else ""
    filename = f"{texts.EXPORT_KIND_NAMES[kind.value]}{label}_{period.label}.xlsx"
    step = progress or _quiet
    await step(texts.EXPORT_STEP_READING)
    if kind in YEARLY_KINDS:
        content, count = await _yearly(session, kind, period, scope, tz, now, duties)
        return Export(filename=filename, content=content, rows=count)
    sheets, count = await _LEDGERS[kind](session=session, period=period, scope=scope, tz=tz)
    await step(texts.EXPORT_STEP_WRITING.format(rows=count))
    # Writing a city's year takes a while: keep it off the event loop.
    content = await asyncio.to_thread(workbook, sheets)
    return Export(filename=filename, content=content, rows=count)


async def scope_label(*, session: AsyncSession, scope: Scope) -> str:
    """Who the file covers, for its name: 全市, one town, one grid, or nothing for a mix."""
    if scope.town_ids is None:
        return texts.EXPORT_CITY_LABEL
    names = [
        name
        for i, name in (await queries.town_names(session=session)).items()
        if i in scope.whole_towns
    ]
    grids = [
        p.grid_name
        for i, p in (await queries.grid_places(session=session)).items()
        if i in scope.grid_ids and p.town_id not in scope.whole_towns
    ]
    return "、".join(sorted(names) + sorted(grids)) if len(names) + len(grids) <= 2 else ""


async def viewer_export(
    *,
    session: AsyncSession,
    viewer: Viewer,
    kind: ExportKind,
    period: Period,
    tz: tzinfo,
    now: datetime | None = None,
    duties: DutiesConfig | None = None,
    progress: Progress | None = None,
) -> Export:
    """/export: the workbook of `kind` for `period`, holding only what the viewer's roles
    cover (city roles the city, town leaders their towns, grid staff their grids)."""
    scope = await scope_of(session=session, viewer=viewer)
    label = await scope_label(session=session, scope=scope)
    return await build_export(
        session=session,
        kind=kind,
        period=period,
        tz=tz,
        scope=scope,
        scope_label=label,
        now=now,
        duties=duties,
        progress=progress,
    )


async def named_scope(
    *, session: AsyncSession, town: str | None, grid: str | None
) -> tuple[Scope, str]:
    """The scope of `gridbot export --town/--grid` and the label for its file name."""
    if town is not None and grid is not None:
        raise ExportError(texts.EXPORT_TOWN_AND_GRID)
    if town is not None:
        towns = await queries.town_names(session=session)
        town_id = next((i for i, name in towns.items() if name == town.strip()), None)
        if town_id is None:
            raise ExportError(texts.EXPORT_UNKNOWN_TOWN.format(name=town))
        return scope_for_town(town_id), town.strip()
    if grid is not None:
        place = next(
            (
                p
                for p in (await queries.grid_places(session=session)).values()
                if p.grid_name == grid.strip()
            ),
            None,
        )
        if place is None:
            raise ExportError(texts.EXPORT_UNKNOWN_GRID.format(name=grid))
        return scope_for_grid(place), place.grid_name
    return CITY, ""


def _kind_words() -> dict[str, ExportKind]:
    words: dict[str, ExportKind] = {}
    for kind in ExportKind:
        words[kind.value] = kind
        words[texts.EXPORT_KIND_NAMES[kind.value]] = kind
        for alias in texts.EXPORT_KIND_ALIASES.get(kind.value, ()):
            words[alias] = kind
    return words


def parse_kind(text: str) -> ExportKind:
    """A kind by its Chinese name (问题台账), a short form of it (问题) or its English value
    (questions); NFKC first, so full-width letters (ｒｅｐｏｒｔｓ) read the same."""
    word = unicodedata.normalize("NFKC", text).strip().lower()
    kind = _kind_words().get(word)
    if kind is None:
        names = "、".join(texts.EXPORT_KIND_NAMES[k.value] for k in ExportKind)
        raise ExportError(texts.EXPORT_BAD_KIND.format(kind=text, kinds=names))
    return kind
