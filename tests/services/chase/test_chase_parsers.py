"""The parsers of a platform export: for any text a value or a clean refusal (Invalid,
ChaseFileError), never another exception; the accepted forms read back what was written."""

import csv
import io
import re
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.tables.chase import PlatformStatus
from services.chase.cells import (
    HEADER_VARIANTS,
    STATUS_VARIANTS,
    canonical_header,
    deadline_day,
    parse_deadline,
    parse_org_code,
    parse_period,
    parse_status,
    shown_deadline,
)
from services.chase.reading import ChaseFileError, Export, KeyKind, read_export
from services.roster_import.cells import Invalid
from tests.factories import valid_uscc

TZ = ZoneInfo("Asia/Shanghai")


def attempt(parse: Callable[..., object], *args: object, **kwargs: object) -> object:
    """The parser's value, or the refusal it raised (any other exception propagates)."""
    try:
        return parse(*args, **kwargs)
    except (Invalid, ChaseFileError) as exc:
        return exc


HEADER = ["统一社会信用代码", "单位名称", "表号", "报告期", "状态", "问题说明", "截止时间"]


@given(st.text())
def test_any_status_text_is_a_status_or_refused(text: str) -> None:
    found = attempt(parse_status, text)
    if isinstance(found, Invalid):
        assert "无法识别的状态" in str(found)
    else:
        assert isinstance(found, PlatformStatus)


@pytest.mark.parametrize(
    ("status", "variant"), [(s, v) for s, vs in STATUS_VARIANTS.items() for v in vs]
)
def test_every_status_variant_reads_with_spaces_and_full_width(
    status: PlatformStatus, variant: str
) -> None:
    assert parse_status(f" {variant[0]} {variant[1:]}\u3000") is status


@given(st.text())
def test_any_period_text_is_a_month_or_refused(text: str) -> None:
    found = attempt(parse_period, text)
    assert isinstance(found, Invalid) or re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", str(found))


@given(
    st.integers(1990, 2100),
    st.integers(1, 12),
    st.sampled_from(["{y}-{m}", "{y}/{m:02d}", "{y}年{m}月", "{y}{m:02d}", "{y}-{m:02d}-01"]),
)
def test_written_periods_read_back(year: int, month: int, form: str) -> None:
    assert parse_period(form.format(y=year, m=month)) == f"{year:04d}-{month:02d}"


@given(st.text())
def test_any_deadline_text_is_an_aware_moment_or_refused(text: str) -> None:
    found = attempt(parse_deadline, text, TZ)
    assert isinstance(found, Invalid) or (isinstance(found, datetime) and found.tzinfo is not None)


@given(st.dates(date(1990, 1, 2), date(2100, 12, 30)), st.booleans())
def test_a_date_deadline_lasts_the_whole_day(day: date, as_cell: bool) -> None:
    text = (
        datetime.combine(day, time()).isoformat()
        if as_cell
        else f"{day.year}年{day.month}月{day.day}日"
    )
    moment = parse_deadline(text, TZ)
    assert moment == datetime.combine(day + timedelta(days=1), time(), tzinfo=TZ)
    assert deadline_day(moment, TZ) == day
    assert shown_deadline(moment, TZ) == f"{day.month}月{day.day}日"


@given(st.dates(date(1990, 1, 1), date(2100, 12, 31)), st.integers(0, 23), st.integers(1, 59))
def test_a_timed_deadline_keeps_its_time(day: date, hour: int, minute: int) -> None:
    moment = parse_deadline(f"{day.isoformat()} {hour}:{minute:02d}", TZ)
    assert moment == datetime.combine(day, time(hour, minute), tzinfo=TZ)
    assert shown_deadline(moment, TZ).endswith(f"{hour:02d}:{minute:02d}")


@given(st.text())
def test_any_org_code_text_is_nine_characters_or_refused(text: str) -> None:
    found = attempt(parse_org_code, text)
    assert isinstance(found, Invalid) or len(str(found)) == 9


@pytest.mark.parametrize(
    ("canonical", "variant"), [(c, v) for c, vs in HEADER_VARIANTS.items() for v in vs]
)
def test_header_variants(canonical: str, variant: str) -> None:
    assert canonical_header(f" {variant}* ") == canonical


@given(st.text())
def test_any_header_text_is_left_as_it_is_when_unknown(text: str) -> None:
    assert isinstance(canonical_header(text), str)


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


@given(st.lists(st.lists(st.text(max_size=30), min_size=7, max_size=7), max_size=6))
def test_any_rows_under_the_header_are_read_or_refused_with_reasons(
    rows: list[list[str]],
) -> None:
    export = attempt(read_export, file_name="x.csv", data=_csv([HEADER, *rows]), period=None, tz=TZ)
    if isinstance(export, ChaseFileError):
        assert export.problems
        assert all(isinstance(p, str) and p for p in export.problems)
        return
    assert isinstance(export, Export)
    assert re.fullmatch(r"\d{4}-\d{2}", export.period)
    assert all(r.key_kind is KeyKind.USCC for r in export.rows)


@given(st.binary(max_size=200), st.sampled_from(["a.xlsx", "a.csv", "a.xls", "a"]))
def test_any_bytes_are_read_or_refused(data: bytes, name: str) -> None:
    found = attempt(read_export, file_name=name, data=data, period="2026-11", tz=TZ)
    assert isinstance(found, Export) or (isinstance(found, ChaseFileError) and found.problems)


def test_a_good_row_reads_with_its_fields() -> None:
    data = _csv(
        [
            ["乐清市2026年11月未报名单"],
            HEADER,
            [
                valid_uscc(5),
                "某公司",
                "B204-1",
                "2026年11月",
                "审核不通过",
                "请说明",
                "2026/12/10 17:30",
            ],
        ]
    )
    (row,) = read_export(file_name="x.csv", data=data, period=None, tz=TZ).rows
    assert row.number == 3
    assert row.key == valid_uscc(5)
    assert row.status is PlatformStatus.CHECK_FAILED
    assert row.deadline == datetime(2026, 12, 10, 17, 30, tzinfo=TZ)
