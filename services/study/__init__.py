"""Continuing-education hours (统计继续教育): what /study accepts and records, and the admin's
import of hours from a spreadsheet (all-or-nothing, re-importing adds nothing)."""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import openpyxl
from sqlmodel.ext.asyncio.session import AsyncSession

from models import study as queries
from models.tables import StudyRecord
from services.audit import Actor, AuditAction, record
from services.study import texts

MIN_HOURS = 0.5
TOPIC_MAX = 100
RECENT_SHOWN = 5

# re.ASCII: \d must not take "٣" or "३" for 3; full-width digits and Chinese numerals are
# turned into ASCII digits first (_ascii_numbers).
_ISO = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$", re.ASCII)
_MONTH_DAY = re.compile(r"^(\d{1,2})\s*[月/.-]\s*(\d{1,2})\s*[日号]?$", re.ASCII)
_RELATIVE = {"今天": 0, "今日": 0, "昨天": 1, "昨日": 1, "前天": 2}
_HOURS = re.compile(
    r"^(?:(\d{1,2}(?:\.\d{1,2})?)\s*(个半|半)?|半)\s*个?\s*(?:学时|小时|h)?$",
    re.ASCII | re.IGNORECASE,
)
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．／－", "0123456789./-")
_CHINESE_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
_CHINESE_DIGITS |= {"六": 6, "七": 7, "八": 8, "九": 9}
_CHINESE_NUMBER = re.compile(f"[{''.join(_CHINESE_DIGITS)}十]+")


@dataclass(frozen=True)
class HourLimits:
    """The most hours one entry and one day may hold: without a daily cap, three 12-hour
    entries on one day would meet the yearly target (the duties file's [education] section)."""

    per_entry: float = 8.0
    per_day: float = 8.0


def _chinese_number(run: str) -> str:
    """十二 -> 12, 三十一 -> 31, 二〇二六 -> 2026; a run it cannot read is left as it is."""
    if "十" not in run:
        return "".join(str(_CHINESE_DIGITS[c]) for c in run)
    tens, _, units = run.partition("十")
    if len(tens) > 1 or len(units) > 1 or "十" in units:
        return run
    return str(_CHINESE_DIGITS.get(tens, 1) * 10 + _CHINESE_DIGITS.get(units, 0))


def _ascii_numbers(text: str) -> str:
    value = text.strip().translate(_FULL_WIDTH)
    value = _CHINESE_NUMBER.sub(lambda m: _chinese_number(m[0]), value)
    return re.sub(r"(?<=\d)点(?=\d)", ".", value)


class StudyDateError(ValueError):
    """Why a date was refused: "bad" (unreadable), "future" or "old"."""

    def __init__(self, kind: str, *, today: date) -> None:
        super().__init__(kind)
        self.kind = kind
        self.message = texts.study_date_error(kind, today)


def parse_study_date(text: str, *, today: date) -> date:
    """今天/昨天/前天, 12月3日 (this year), 2026-12-03 or 2026年12月3日 (ASCII or full-width
    digits, or Chinese numerals: 十二月三日); not in the future and not before last year.
    StudyDateError carries the Chinese reason."""
    value = _ascii_numbers(text)
    day: date | None = None
    if value in _RELATIVE:
        day = today - timedelta(days=_RELATIVE[value])
    elif match := _ISO.fullmatch(value):
        day = _date(int(match[1]), int(match[2]), int(match[3]))
    elif match := _MONTH_DAY.fullmatch(value):
        day = _date(today.year, int(match[1]), int(match[2]))
    if day is None:
        raise StudyDateError("bad", today=today)
    if day > today:
        raise StudyDateError("future", today=today)
    if day.year < today.year - 1:
        raise StudyDateError("old", today=today)
    return day


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_hours(text: str, *, most: float = HourLimits.per_entry) -> float | None:
    """0.5 to `most` in steps of 0.5 ("2", "1.5", "2学时", "两小时", "一个半小时", "半小时");
    None if not acceptable."""
    match = _HOURS.fullmatch(_ascii_numbers(text))
    if match is None:
        return None
    hours = float(match[1]) if match[1] else 0.0
    if match[2] or not match[1]:
        hours += 0.5
    if not MIN_HOURS <= hours <= most or not (hours * 2).is_integer():
        return None
    return hours


def clean_topic(text: str) -> str | None:
    topic = " ".join(text.split())
    return topic if 0 < len(topic) <= TOPIC_MAX else None


@dataclass(frozen=True)
class StudyOverview:
    year: int
    hours: float
    recent: tuple[StudyRecord, ...]


async def overview(*, session: AsyncSession, person_id: int, year: int) -> StudyOverview:
    hours = await queries.hours_by_person(session=session, year=year, person_ids=[person_id])
    recent = await queries.recent_records(
        session=session, person_id=person_id, year=year, limit=RECENT_SHOWN
    )
    return StudyOverview(year=year, hours=hours.get(person_id, 0.0), recent=tuple(recent))


async def day_room(
    *, session: AsyncSession, person_id: int, day: date, limits: HourLimits
) -> tuple[float, float]:
    """(hours already recorded on `day`, hours that may still be recorded on it)."""
    recorded = (
        await queries.hours_by_day(session=session, person_ids=[person_id], days=[day])
    ).get((person_id, day), 0.0)
    return recorded, max(0.0, min(limits.per_entry, limits.per_day - recorded))


class DayFullError(ValueError):
    """The entry would take the day past the daily cap; the message says so in Chinese."""


async def record_study(
    *,
    session: AsyncSession,
    person_id: int,
    studied_on: date,
    topic: str,
    hours: float,
    limits: HourLimits,
) -> float:
    """Record the member's own hours (the caller commits); returns their total for that year.
    DayFullError if the day would exceed the daily cap (checked again here: the press may come
    long after the hours were typed, with another entry in between)."""
    recorded, room = await day_room(
        session=session, person_id=person_id, day=studied_on, limits=limits
    )
    if hours > room:
        raise DayFullError(
            texts.study_day_full(
                day=studied_on.isoformat(), recorded=recorded, room=room, per_day=limits.per_day
            )
        )
    await queries.add_study_record(
        session=session, person_id=person_id, studied_on=studied_on, topic=topic, hours=hours
    )
    totals = await queries.hours_by_person(
        session=session, year=studied_on.year, person_ids=[person_id]
    )
    return totals.get(person_id, 0.0)


# --- Import (gridbot study import FILE.xlsx) -----------------------------------------------

IMPORT_HEADERS = ("手机号", "日期", "内容", "学时")
_MOBILE = re.compile(r"^1\d{10}$")


@dataclass(frozen=True)
class ImportRow:
    row: int
    person_id: int
    studied_on: date
    topic: str
    hours: float


@dataclass(frozen=True)
class ImportResult:
    """Problems (row-numbered, Chinese) mean nothing was imported."""

    errors: tuple[str, ...]
    imported: int = 0
    skipped: int = 0


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _cell_date(value: object, *, today: date) -> date | str:
    """A date cell (Excel date or text); the Chinese reason when it is not acceptable."""
    if hasattr(value, "date") and callable(value.date):
        day = value.date()
    elif isinstance(value, date):
        day = value
    else:
        text = _cell_text(value)
        if not text:
            return texts.STUDY_IMPORT_EMPTY
        try:
            return parse_study_date(text, today=today)
        except StudyDateError as error:
            return texts.STUDY_IMPORT_DATE_ERRORS[error.kind]
    assert isinstance(day, date)
    if day > today:
        return texts.STUDY_IMPORT_DATE_ERRORS["future"]
    if day.year < today.year - 1:
        return texts.STUDY_IMPORT_DATE_ERRORS["old"]
    return day


def _error(row: int, column: str, reason: str) -> str:
    return texts.STUDY_IMPORT_ROW_ERROR.format(row=row, column=column, reason=reason)


async def import_study_file(
    *,
    session: AsyncSession,
    path: Path,
    today: date,
    limits: HourLimits,
    dry_run: bool = False,
    actor: Actor | None = None,
) -> ImportResult:
    """Validate every row of the first sheet (手机号, 日期, 内容, 学时), then import all or none.
    No entry above `limits.per_entry`, no day above `limits.per_day` (hours recorded before
    included).

    A row whose person, day and topic are already recorded (imported before, or entered by the
    member with /study) is skipped, so importing the same file twice changes nothing. The caller
    commits.
    """
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
    finally:
        workbook.close()
    if not rows:
        return ImportResult(errors=("文件是空的",))
    header = [_cell_text(cell) for cell in rows[0]]
    missing = [name for name in IMPORT_HEADERS if name not in header]
    if missing:
        return ImportResult(
            errors=(texts.STUDY_IMPORT_HEADERS_MISSING.format(missing="、".join(missing)),)
        )
    column = {name: header.index(name) for name in IMPORT_HEADERS}
    body = [
        (number, row)
        for number, row in enumerate(rows[1:], start=2)
        if any(_cell_text(cell) for cell in row)
    ]
    mobiles = {_cell_text(row[column["手机号"]]) for _, row in body if len(row) > column["手机号"]}
    people = await queries.active_people_by_mobile(session=session, mobiles=mobiles)

    def cell(row: tuple[object, ...], name: str) -> object:
        index = column[name]
        return row[index] if index < len(row) else None

    errors: list[str] = []
    parsed: list[ImportRow] = []
    seen: dict[tuple[int, date, str], int] = {}
    for number, row in body:
        problems_before = len(errors)
        mobile = _cell_text(cell(row, "手机号"))
        person = people.get(mobile)
        if not _MOBILE.fullmatch(mobile):
            errors.append(_error(number, "手机号", f"「{mobile}」不是有效的手机号"))
        elif person is None:
            errors.append(_error(number, "手机号", f"{mobile} 不在花名册中（或已被接替）"))
        day = _cell_date(cell(row, "日期"), today=today)
        if isinstance(day, str):
            errors.append(_error(number, "日期", day))
        topic = clean_topic(_cell_text(cell(row, "内容")))
        if topic is None:
            errors.append(_error(number, "内容", f"不能为空，且不超过{TOPIC_MAX}字"))
        hours = parse_hours(_cell_text(cell(row, "学时")), most=limits.per_entry)
        if hours is None:
            errors.append(_error(number, "学时", texts.study_import_hours_bad(limits.per_entry)))
        if len(errors) > problems_before:
            continue
        assert person is not None
        assert person.id is not None
        assert isinstance(day, date)
        assert topic is not None
        assert hours is not None
        key = (person.id, day, topic)
        if key in seen:
            errors.append(
                _error(number, "内容", f"与第{seen[key]}行重复（同一人、同一天、同一内容）")
            )
            continue
        seen[key] = number
        parsed.append(ImportRow(number, person.id, day, topic, hours))
    if not body and not errors:
        errors.append("文件中没有数据行")
    existing = await queries.existing_study_keys(
        session=session, person_ids={row.person_id for row in parsed}
    )
    new = [r for r in parsed if (r.person_id, r.studied_on, r.topic) not in existing]
    errors += await _over_daily_cap(session=session, rows=new, limits=limits)
    if errors:
        return ImportResult(errors=tuple(sorted(errors, key=_row_of)))
    if dry_run:
        return ImportResult(errors=(), imported=len(new), skipped=len(parsed) - len(new))
    inserted = await queries.insert_imported(
        session=session, rows=[(r.person_id, r.studied_on, r.topic, r.hours) for r in new]
    )
    if actor is not None:
        await record(
            session=session,
            actor=actor,
            action=AuditAction.STUDY_IMPORT,
            summary=(
                f"{path.name}：导入学时记录 {inserted} 条，跳过已有记录 {len(parsed) - inserted} 条"
            ),
            now=datetime.now(UTC),
        )
    return ImportResult(errors=(), imported=inserted, skipped=len(parsed) - inserted)


def _row_of(error: str) -> int:
    match = re.match(r"第(\d+)行", error)
    return int(match[1]) if match else 0


async def _over_daily_cap(
    *, session: AsyncSession, rows: list[ImportRow], limits: HourLimits
) -> list[str]:
    """A row-numbered error for each new row that takes its person's day past the cap."""
    recorded = await queries.hours_by_day(
        session=session,
        person_ids={row.person_id for row in rows},
        days={row.studied_on for row in rows},
    )
    totals = dict(recorded)
    errors = []
    for row in rows:
        key = (row.person_id, row.studied_on)
        total = totals.get(key, 0.0) + row.hours
        if total > limits.per_day:
            reason = texts.study_import_day_full(
                day=row.studied_on.isoformat(),
                total=total,
                recorded=recorded.get(key, 0.0),
                per_day=limits.per_day,
            )
            errors.append(_error(row.row, "学时", reason))
        else:
            totals[key] = total
    return errors
