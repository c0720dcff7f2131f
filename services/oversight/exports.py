"""Excel 台账 for inspection: activities with attendance, notice confirmation lists, monthly
reports with the towns' hearings, and the question log, for a period (month "2026-11",
quarter "2026Q4" or year "2026") and a scope (the city, some towns, some grids).

Each export is one .xlsx workbook as bytes, written through `services.xlsx.write_sheet`
(Chinese headers, frozen header row, widths, user text that looks like a formula kept as text).
Times are shown in the given time zone.
"""

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, tzinfo
from enum import StrEnum
from io import BytesIO
from statistics import median

from openpyxl import Workbook
from sqlmodel.ext.asyncio.session import AsyncSession

from models import exports as queries
from models.enums import AttendanceStatus
from models.exports import AttendanceRow, GridPlace, ReceiptRow
from services.access import Viewer
from services.duties.status import CITY, Scope, scope_of
from services.oversight import scorecard, texts
from services.oversight.scorecard import Period
from services.xlsx import CellValue, append_sheet


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
        period = scorecard.parse_period(text)
    except scorecard.PeriodError:
        raise ExportError(texts.EXPORT_BAD_PERIOD.format(period=text)) from None
    if not 2000 <= period.year <= 2100:
        raise ExportError(texts.EXPORT_BAD_PERIOD.format(period=text))
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


def _person_in_scope(places: set[tuple[int, int | None]], scope: Scope) -> bool:
    if scope.town_ids is None:
        return True
    return any(
        town_id in scope.whole_towns or (grid_id is not None and grid_id in scope.grid_ids)
        for town_id, grid_id in places
    )


def _local(moment: datetime | None, tz: tzinfo) -> datetime | None:
    # Excel has no time zones: write the local wall-clock time.
    return None if moment is None else moment.astimezone(tz).replace(tzinfo=None)


def _hours(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return round((end - start).total_seconds() / 3600, 1)


def _rate(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "—"


Rows = list[Sequence[CellValue]]
Sheet = tuple[str, Sequence[str], Rows]


def _workbook(sheets: Sequence[Sheet]) -> bytes:
    book = Workbook(write_only=True)
    for title, headers, rows in sheets:
        append_sheet(book, title, headers, rows)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- Activities ------------------------------------------------------------------------------


async def _activities(
    session: AsyncSession, period: Period, scope: Scope, tz: tzinfo
) -> tuple[list[Sheet], int]:
    start, end = period.bounds(tz)
    places = await queries.grid_places(session=session)
    grids_of = await queries.activity_grid_ids(session=session, start=start, end=end)
    expected = await queries.grid_people_ids(session=session)
    attendance = await queries.attendance_starting(session=session, start=start, end=end)
    by_activity: dict[int, list[AttendanceRow]] = {}
    for row in attendance:
        by_activity.setdefault(row.activity_id, []).append(row)
    recorders = await queries.person_names(
        session=session, person_ids={r.recorded_by for r in attendance if r.recorded_by}
    )
    activity_rows: Rows = []
    attendance_rows: Rows = []
    for activity, organiser in await queries.activities_starting(
        session=session, start=start, end=end
    ):
        assert activity.id is not None
        covered = sorted(
            (places[g] for g in grids_of.get(activity.id, []) if g in places),
            key=lambda p: (p.town_name, p.grid_name),
        )
        covered = [p for p in covered if scope.covers(p.town_id, p.grid_id)]
        if not covered:
            continue
        rows = by_activity.get(activity.id, [])
        state = texts.EXPORT_CANCELLED if activity.cancelled_at else texts.EXPORT_HELD
        for place in covered:
            people = expected.get(place.grid_id, set())
            checked = sum(
                1 for r in rows if r.person_id in people and r.status == AttendanceStatus.CHECKED_IN
            )
            leave = sum(
                1 for r in rows if r.person_id in people and r.status == AttendanceStatus.LEAVE
            )
            activity_rows.append(
                [
                    activity.id,
                    place.town_name,
                    place.grid_name,
                    activity.kind.value,
                    activity.title,
                    _local(activity.starts_at, tz),
                    _local(activity.ends_at, tz),
                    activity.place,
                    organiser,
                    state,
                    len(people),
                    checked,
                    leave,
                    _rate(checked, len(people)),
                ]
            )
        grid_names = "、".join(p.grid_name for p in covered)
        for row in rows:
            own = next(
                (p.grid_name for p in covered if row.person_id in expected.get(p.grid_id, ())), ""
            )
            attendance_rows.append(
                [
                    activity.id,
                    activity.title,
                    grid_names,
                    row.name,
                    own or texts.EXPORT_OTHER_GRID,
                    row.status.value,
                    row.method.value if row.method else None,
                    _local(row.checked_in_at, tz),
                    row.leave_reason,
                    recorders.get(row.recorded_by) if row.recorded_by else None,
                ]
            )
    sheets: list[Sheet] = [
        (texts.EXPORT_SHEET_ACTIVITIES, texts.EXPORT_ACTIVITY_HEADERS, activity_rows),
        (texts.EXPORT_SHEET_ATTENDANCE, texts.EXPORT_ATTENDANCE_HEADERS, attendance_rows),
    ]
    return sheets, len(activity_rows)


# --- Notices ---------------------------------------------------------------------------------


async def _notices(
    session: AsyncSession, period: Period, scope: Scope, tz: tzinfo
) -> tuple[list[Sheet], int]:
    start, end = period.bounds(tz)
    places = await queries.person_places(session=session) if scope.town_ids is not None else {}
    recipients: dict[int, list[ReceiptRow]] = {}
    for recipient in await queries.notice_recipients_created(session=session, start=start, end=end):
        if _person_in_scope(places.get(recipient.person_id, set()), scope):
            recipients.setdefault(recipient.notice_id, []).append(recipient)
    notice_rows: Rows = []
    recipient_rows: Rows = []
    for notice, sender in await queries.notices_created(session=session, start=start, end=end):
        assert notice.id is not None
        rows = recipients.get(notice.id)
        if not rows:
            continue
        waits = [
            (r.confirmed_at - notice.created_at).total_seconds() / 3600
            for r in rows
            if r.confirmed_at is not None
        ]
        sent_at = _local(notice.created_at, tz)
        notice_rows.append(
            [
                notice.id,
                sent_at,
                sender,
                notice.target_label,
                notice.text,
                len(rows),
                len(waits),
                _rate(len(waits), len(rows)),
                round(median(waits), 1) if waits else None,
            ]
        )
        for recipient in rows:
            recipient_rows.append(
                [
                    notice.id,
                    sent_at,
                    recipient.name,
                    texts.EXPORT_CONFIRMED if recipient.confirmed_at else texts.EXPORT_UNCONFIRMED,
                    _local(recipient.confirmed_at, tz),
                    _hours(notice.created_at, recipient.confirmed_at),
                    recipient.reminders,
                ]
            )
    sheets: list[Sheet] = [
        (texts.EXPORT_SHEET_NOTICES, texts.EXPORT_NOTICE_HEADERS, notice_rows),
        (texts.EXPORT_SHEET_RECEIPTS, texts.EXPORT_RECEIPT_HEADERS, recipient_rows),
    ]
    return sheets, len(notice_rows)


# --- Monthly reports -------------------------------------------------------------------------


async def _reports(
    session: AsyncSession, period: Period, scope: Scope, tz: tzinfo
) -> tuple[list[Sheet], int]:
    months = period.months
    places = sorted(
        (
            p
            for p in (await queries.grid_places(session=session)).values()
            if scope.covers(p.town_id, p.grid_id)
        ),
        key=lambda p: (p.town_name, p.grid_name),
    )
    reports = await queries.reports_of_periods(session=session, periods=months)
    hearings = await queries.hearings_of_periods(session=session, periods=months)
    rows: Rows = []
    for month in months:
        for place in places:
            hearing = hearings.get((place.town_id, month))
            heard: list[CellValue] = (
                [hearing[1], _local(hearing[0].confirmed_at, tz)] if hearing else [None, None]
            )
            found = reports.get((place.grid_id, month))
            if found is None:
                missing: list[CellValue] = [
                    month,
                    place.town_name,
                    place.grid_name,
                    texts.EXPORT_NOT_SUBMITTED,
                ]
                rows.append([*missing, *([None] * 6), *heard])
                continue
            report, author = found
            rows.append(
                [
                    month,
                    place.town_name,
                    place.grid_name,
                    texts.EXPORT_LATE if report.late else texts.EXPORT_ON_TIME,
                    author,
                    _local(report.submitted_at, tz),
                    report.activities,
                    report.problems,
                    report.help_needed,
                    report.plan,
                    *heard,
                ]
            )
    return [(texts.EXPORT_SHEET_REPORTS, texts.EXPORT_REPORT_HEADERS, rows)], len(rows)


# --- Questions -------------------------------------------------------------------------------


async def _questions(
    session: AsyncSession, period: Period, scope: Scope, tz: tzinfo
) -> tuple[list[Sheet], int]:
    start, end = period.bounds(tz)
    places = await queries.grid_places(session=session)
    towns = await queries.town_names(session=session)
    answers = await queries.first_answers(session=session, start=start, end=end)
    asked = await queries.questions_created(session=session, start=start, end=end)
    assignees = await queries.person_names(
        session=session, person_ids={q.assignee_id for q, _ in asked if q.assignee_id}
    )
    rows: Rows = []
    for question, asker in asked:
        assert question.id is not None
        place = places.get(question.grid_id)
        if place is None:
            # A question filed on a town node (asked of its 分管负责人).
            town_id, grid_name = question.grid_id, ""
            covered = scope.town_ids is None or town_id in scope.whole_towns
        else:
            town_id, grid_name = place.town_id, place.grid_name
            covered = scope.covers(place.town_id, place.grid_id)
        if not covered:
            continue
        answer = answers.get(question.id)
        rows.append(
            [
                question.id,
                _local(question.created_at, tz),
                towns.get(town_id, ""),
                grid_name,
                asker,
                question.text,
                question.status.value,
                assignees.get(question.assignee_id) if question.assignee_id else None,
                answer[1] if answer else None,
                _local(answer[0].created_at, tz) if answer else None,
                _hours(question.created_at, answer[0].created_at) if answer else None,
                answer[0].body if answer else None,
                _local(question.closed_at, tz),
            ]
        )
    return [(texts.EXPORT_SHEET_QUESTIONS, texts.EXPORT_QUESTION_HEADERS, rows)], len(rows)


# --- Evaluation and funding (written by services.oversight.evaluation) ------------------------


async def _yearly(
    session: AsyncSession,
    kind: ExportKind,
    period: Period,
    scope: Scope,
    tz: tzinfo,
    now: datetime | None,
) -> tuple[bytes, int]:
    from services.oversight.evaluation import (
        evaluation_for_year,
        evaluation_xlsx,
        funding_ledger,
        funding_xlsx,
    )
    from services.oversight.evaluation_config import (
        EvaluationConfigError,
        load_evaluation_config,
    )

    if (period.first_month, period.last_month) != (1, 12):
        raise ExportError(texts.EXPORT_YEAR_ONLY.format(kind=texts.EXPORT_KIND_NAMES[kind.value]))
    year = period.year
    try:
        config = await asyncio.to_thread(load_evaluation_config)
    except EvaluationConfigError as exc:
        raise ExportError(str(exc)) from exc
    if kind == ExportKind.EVALUATION:
        outcome = await evaluation_for_year(
            session=session, year=year, config=config, as_of=now, tz=tz
        )
        kept = [e for e in outcome.evaluations if scope.covers(e.town_id, e.grid_id)]
        content = await asyncio.to_thread(
            evaluation_xlsx, replace(outcome, evaluations=kept), config
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
            ledger, towns=towns, objects=[o for o in ledger.objects if o.town_name in names]
        )
    content = await asyncio.to_thread(funding_xlsx, ledger)
    return content, len(ledger.towns)


_BUILDERS = {
    ExportKind.ACTIVITIES: _activities,
    ExportKind.NOTICES: _notices,
    ExportKind.REPORTS: _reports,
    ExportKind.QUESTIONS: _questions,
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
) -> Export:
    """One workbook of `kind` for `period`, holding only what `scope` covers. `now` (for the
    evaluation of a year still running) counts only what has fallen due by then."""
    label = f"_{scope_label}" if scope_label else ""
    filename = f"{texts.EXPORT_KIND_NAMES[kind.value]}{label}_{period.label}.xlsx"
    if kind in YEARLY_KINDS:
        content, count = await _yearly(session, kind, period, scope, tz, now)
        return Export(filename=filename, content=content, rows=count)
    sheets, count = await _BUILDERS[kind](session, period, scope, tz)
    # Writing a city's year takes a while: keep it off the event loop.
    content = await asyncio.to_thread(_workbook, sheets)
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
) -> Export:
    """/export: the workbook of `kind` for `period`, holding only what the viewer's roles
    cover (city roles the city, town leaders their towns, grid staff their grids)."""
    scope = await scope_of(session=session, viewer=viewer)
    label = await scope_label(session=session, scope=scope)
    return await build_export(
        session=session, kind=kind, period=period, tz=tz, scope=scope, scope_label=label, now=now
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


def parse_kind(text: str) -> ExportKind:
    try:
        return ExportKind(text.strip().lower())
    except ValueError:
        raise ExportError(
            texts.EXPORT_BAD_KIND.format(kind=text, kinds="、".join(k.value for k in ExportKind))
        ) from None
