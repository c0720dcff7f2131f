"""The roster's 纳入日期 and 退出日期: the date parser (every spreadsheet form, hypothesis), per-row
Chinese errors on the real database, the first import's default date and removal on re-import."""

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.tables import SurveyObject
from services.roster_import import import_roster
from services.roster_import.cells import Invalid, clean_cell, parse_date
from services.roster_import.report import format_errors
from services.roster_import.vocabulary import ENTERPRISE_DATE_HEADERS, ENTERPRISE_HEADERS
from tests.factories import enterprise, valid_uscc, write_roster_csv, write_roster_xlsx
from tests.services.roster_import.helpers import CITY, cells

DATED_HEADERS = ENTERPRISE_HEADERS + ENTERPRISE_DATE_HEADERS
DAYS = st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31))

# --- The parser --------------------------------------------------------------------------------


@given(DAYS)
def test_every_written_form_of_a_day_reads_back(day: date) -> None:
    y, m, d = day.year, day.month, day.day
    for text in (
        day.isoformat(),
        f"{y}/{m}/{d}",
        f"{y}/{m:02d}/{d:02d}",
        f"{y}年{m}月{d}日",
        f"{y}.{m}.{d}",
        f"{y}{m:02d}{d:02d}",
        f"{y}-{m}-{d} 00:00:00",
        # Full-width digits, as typed with a Chinese input method.
        f"{y}年{m}月{d}日".translate(str.maketrans("0123456789", "０１２３４５６７８９")),
    ):
        assert parse_date(text) == day, text


# Excel date cells are naive: openpyxl reads them as datetimes without a zone.
EXCEL_FIRST = datetime(1990, 1, 1)  # noqa: DTZ001
EXCEL_LAST = datetime(2100, 12, 31, 23)  # noqa: DTZ001
EXCEL_1_MARCH = datetime(2026, 3, 1)  # noqa: DTZ001


@given(st.datetimes(min_value=EXCEL_FIRST, max_value=EXCEL_LAST))
def test_excel_date_cells_read_as_their_day(moment: datetime) -> None:
    # openpyxl gives a date cell as a datetime; read.py turns it into text with clean_cell.
    text, _ = clean_cell(moment)
    assert parse_date(text) == moment.date()
    assert parse_date(clean_cell(moment.date())[0]) == moment.date()


@given(DAYS)
def test_excel_serial_numbers_read_as_days(day: date) -> None:
    serial = (day - date(1899, 12, 30)).days
    if 10_000 <= serial <= 99_999:
        assert parse_date(str(serial)) == day
        assert parse_date(f"{serial}.0") == day


@given(st.text(max_size=30))
def test_any_text_is_a_day_or_a_chinese_refusal(text: str) -> None:
    try:
        found: date | str = parse_date(text)
    except Invalid as exc:
        found = str(exc)
    if isinstance(found, str):
        assert any("\u4e00" <= ch <= "\u9fff" for ch in found)
    else:
        assert date(1990, 1, 1) <= found <= date(2100, 12, 31)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("2026-02-30", "日期不存在：2026年2月30日"),
        ("2026年13月1日", "日期不存在：2026年13月1日"),
        ("3/1/2026", "无法识别的日期，请写成 2026-03-01、2026/3/1 或 2026年3月1日"),
        ("明年", "无法识别的日期"),
        ("1900-01-01", "超出范围：应在 1990 年至 2100 年之间"),
    ],
)
def test_unusable_dates_are_refused_in_chinese(text: str, reason: str) -> None:
    with pytest.raises(Invalid, match=reason):
        parse_date(text)


def test_serial_day_46082_is_1_march_2026() -> None:
    assert parse_date("46082") == date(2026, 3, 1) == date(1899, 12, 30) + timedelta(46082)


# --- On the real database ----------------------------------------------------------------------


async def stored_dates(session: AsyncSession) -> dict[str, tuple[date | None, date | None]]:
    rows = await session.exec(
        select(SurveyObject.uscc, SurveyObject.joined_on, SurveyObject.left_on).order_by(
            col(SurveyObject.uscc)
        )
    )
    return {uscc: (joined, left) for uscc, joined, left in rows}


async def test_bad_dates_are_reported_per_row_and_nothing_is_imported(
    tmp_path: Path, session: AsyncSession
) -> None:
    path = write_roster_xlsx(
        tmp_path / "roster.xlsx",
        enterprises=[
            enterprise(1, 纳入日期="2026-02-30"),
            enterprise(2, 纳入日期="2026/3/1", 退出日期="2026年2月1日"),
            enterprise(3, 退出日期="下个月"),
            enterprise(4, 纳入日期=EXCEL_1_MARCH, 退出日期="2026年10月1日"),
        ],
        enterprise_headers=DATED_HEADERS,
    )
    report = await import_roster(
        session=session, paths=[path], city_name=CITY, today=date(2026, 6, 15)
    )
    assert cells(report) == [
        ("企业", 2, "纳入日期"),
        ("企业", 3, "退出日期"),
        ("企业", 4, "退出日期"),
    ]
    text = format_errors(report.errors)
    assert "企业 第2行 纳入日期「2026-02-30」：日期不存在：2026年2月30日" in text
    assert "企业 第3行 退出日期「2026年2月1日」：退出日期应晚于纳入日期（2026-03-01）" in text
    assert "企业 第4行 退出日期「下个月」：无法识别的日期" in text
    assert await stored_dates(session) == {}


async def test_dates_from_the_roster_the_first_import_default_and_removal(
    tmp_path: Path, session: AsyncSession
) -> None:
    first = write_roster_xlsx(
        tmp_path / "first.xlsx",
        enterprises=[
            enterprise(1, 纳入日期="2025-03-01"),
            enterprise(2, 纳入日期="2026/7/1"),
            enterprise(3),  # no 纳入日期: the first import's default
            enterprise(4, 乡镇街道="虹桥镇", 纳入日期=EXCEL_1_MARCH, 退出日期="2026年10月1日"),
        ],
        enterprise_headers=DATED_HEADERS,
    )
    report = await import_roster(
        session=session, paths=[first], city_name=CITY, today=date(2026, 6, 15)
    )
    assert report.ok, format_errors(report.errors)
    assert report.default_joined_on == date(2026, 1, 1)
    assert "纳入日期：花名册未填写的新增企业按 2026-01-01 纳入（首次导入，默认为当年1月1日）" in (
        report.summary()
    )
    assert "退出：花名册填写了退出日期的企业 1 家" in report.summary()
    assert await stored_dates(session) == {
        valid_uscc(1): (date(2025, 3, 1), None),
        valid_uscc(2): (date(2026, 7, 1), None),
        valid_uscc(3): (date(2026, 1, 1), None),
        valid_uscc(4): (date(2026, 3, 1), date(2026, 10, 1)),
    }

    # A later import of 柳市镇 without date columns: 3 is gone, 5 is new (joins today).
    again = write_roster_csv(
        tmp_path / "again.csv", [enterprise(1), enterprise(2), enterprise(5)], ENTERPRISE_HEADERS
    )
    report = await import_roster(
        session=session, paths=[again], city_name=CITY, today=date(2026, 9, 1)
    )
    assert report.ok, format_errors(report.errors)
    assert (report.enterprises_removed, report.default_joined_on) == (1, date(2026, 9, 1))
    summary = report.summary()
    assert "按 2026-09-01 纳入（导入当天）" in summary
    assert "有 1 家企业不在花名册中，已记为 2026-09-01 退出" in summary
    # 3's statistician had no other enterprise: no longer a 网格员, and the summary says so.
    assert report.seats_lost == ["统计员3"]
    assert "不再是网格员（所负责的企业均已退出或改由他人负责）：统计员3，共 1 人" in summary
    assert await stored_dates(session) == {
        valid_uscc(1): (date(2025, 3, 1), None),
        valid_uscc(2): (date(2026, 7, 1), None),
        valid_uscc(3): (date(2026, 1, 1), date(2026, 9, 1)),
        # 虹桥镇 was not in this import: untouched.
        valid_uscc(4): (date(2026, 3, 1), date(2026, 10, 1)),
        valid_uscc(5): (date(2026, 9, 1), None),
    }

    # A partial roster of 柳市镇 (only 1): nobody is recorded as leaving.
    part = write_roster_csv(tmp_path / "part.csv", [enterprise(1)], ENTERPRISE_HEADERS)
    report = await import_roster(
        session=session, paths=[part], city_name=CITY, today=date(2026, 10, 1), partial=True
    )
    assert report.ok, format_errors(report.errors)
    assert report.enterprises_removed == 0
    assert report.seats_lost == []
    assert (await stored_dates(session))[valid_uscc(2)] == (date(2026, 7, 1), None)

    # 3 is listed again with an explicit --joined-on: back on the grid from that day.
    back = write_roster_csv(
        tmp_path / "back.csv",
        [enterprise(1), enterprise(2), enterprise(3), enterprise(5)],
        ENTERPRISE_HEADERS,
    )
    report = await import_roster(
        session=session,
        paths=[back],
        city_name=CITY,
        joined_on=date(2026, 11, 1),
        today=date(2026, 11, 20),
    )
    assert report.ok, format_errors(report.errors)
    assert report.enterprises_removed == 0
    assert (await stored_dates(session))[valid_uscc(3)] == (date(2026, 11, 1), None)
