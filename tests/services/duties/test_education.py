"""Continuing education: monthly reminders from Q4 to members below the yearly target, one list
per instructor, the status per town and grid, /todo, and the spreadsheet import."""

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.study import SOURCE_IMPORT, add_study_record, hours_by_person
from models.tables import StudyRecord
from services.access import Viewer
from services.duties.config import DutiesConfig, DutyConfigError, load_duties
from services.duties.education import EducationDuty, education_status, todo_items
from services.study import HourLimits, import_study_file, parse_hours, parse_study_date
from services.todo import TodoItem
from tests.conftest import SmallCity

TZ = ZoneInfo("Asia/Shanghai")
EDUCATION = DutiesConfig().education
TODAY = date(2026, 12, 10)


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


def education_duty() -> EducationDuty:
    return EducationDuty(DutiesConfig(), tz=TZ)


async def record(
    sessions: async_sessionmaker[AsyncSession], city: SmallCity, key: str, hours: float
) -> None:
    async with sessions() as session, session.begin():
        await add_study_record(
            session=session,
            person_id=city.person_id(key),
            studied_on=date(2026, 3, 1),
            topic="统计法律法规培训",
            hours=hours,
        )


@pytest.fixture
async def hours(sessions: async_sessionmaker[AsyncSession], small_city: SmallCity) -> SmallCity:
    """member 6, grid_head 24 (on target), instructor 10, other_member none."""
    await record(sessions, small_city, "member", 6)
    await record(sessions, small_city, "grid_head", 24)
    await record(sessions, small_city, "instructor", 10)
    return small_city


async def test_nothing_before_the_reminder_months(session: AsyncSession, hours: SmallCity) -> None:
    del hours
    assert await education_duty().reminders(session=session, at=local(2026, 9, 15, 12)) == []


async def test_october_reminder_moves_before_national_day_and_reaches_only_those_below(
    session: AsyncSession, hours: SmallCity
) -> None:
    duty = education_duty()
    # 10月1日 is a holiday: the October reminder goes out on Wednesday 9月30日.
    assert duty.due_day(2026, 10) == date(2026, 9, 30)
    assert await duty.reminders(session=session, at=local(2026, 9, 30, 8, 59)) == []
    found = await duty.reminders(session=session, at=local(2026, 9, 30, 9, 0))
    members = {r.person_id: r for r in found if r.step == "member"}
    assert set(members) == {
        hours.person_id("member"),
        hours.person_id("instructor"),
        hours.person_id("other_member"),
    }
    mine = members[hours.person_id("member")]
    assert mine.key == ("education", f"person:{mine.person_id}", "2026-10", "member")
    assert mine.deadline == local(2026, 11, 1)
    assert "已登记继续教育 <b>6</b> 学时" in mine.text
    assert "还差 18 学时" in mine.text
    assert "/study" in mine.text
    lists = [r for r in found if r.step == "instructor"]
    assert [r.person_id for r in lists] == [hours.person_id("instructor")]
    text = lists[0].text
    assert "虹桥镇·工业网格1" in text
    assert "• 陈统计 6/24 学时" in text
    assert "王网格长" not in text  # on target
    assert "李指导员" not in text  # the recipient is not listed to themself
    assert "周统计" not in text  # another grid


@pytest.mark.usefixtures("hours")
async def test_december_reminder_on_the_first(session: AsyncSession) -> None:
    found = await education_duty().reminders(session=session, at=local(2026, 12, 1, 10))
    december = [r for r in found if r.period == "2026-12"]
    assert december
    assert all(r.due_at == local(2026, 12, 1, 9) for r in december)
    # November's are still listed, past their deadline: a catch-up claims them as skipped.
    assert {r.period for r in found} == {"2026-11", "2026-12"}
    assert all(r.deadline == local(2026, 12, 1) for r in found if r.period == "2026-11")


async def test_status_per_town_and_grid(session: AsyncSession, hours: SmallCity) -> None:
    # The shipped duties file's target.
    target = load_duties().education.yearly_target_hours
    status = await education_status(session=session, year=2026, town_ids=None, target_hours=target)
    assert status.target_hours == 24
    by_town = {town.town_name: town for town in status.towns}
    hongqiao = by_town["虹桥镇"].grids[0]
    assert hongqiao.members == 3
    assert {(m.name, m.hours) for m in hongqiao.below} == {("陈统计", 6.0), ("李指导员", 10.0)}
    liushi_id = hours.grids["柳市镇"].id
    assert liushi_id is not None
    only = await education_status(
        session=session, year=2026, town_ids=[liushi_id], target_hours=target
    )
    assert [t.town_name for t in only.towns] == ["柳市镇"]
    assert [(m.name, m.hours) for m in only.towns[0].grids[0].below] == [("周统计", 0.0)]


async def member_todo(session: AsyncSession, viewer: Viewer, now: datetime) -> list[TodoItem]:
    return await todo_items(session=session, viewer=viewer, now=now, config=EDUCATION, tz=TZ)


async def test_todo_in_q4_only_below_target(
    session: AsyncSession, sessions: async_sessionmaker[AsyncSession], hours: SmallCity
) -> None:
    del sessions
    viewer = Viewer(person_id=hours.person_id("member"), name="陈统计", posts=())
    items = await todo_items(
        session=session, viewer=viewer, now=local(2026, 11, 5, 10), config=EDUCATION, tz=TZ
    )
    assert [i.text for i in items] == ["继续教育 6/24 学时（发送 /study 登记）"]
    assert (
        await todo_items(
            session=session, viewer=viewer, now=local(2026, 6, 5, 10), config=EDUCATION, tz=TZ
        )
        == []
    )
    on_target = Viewer(person_id=hours.person_id("grid_head"), name="王网格长", posts=())
    assert (
        await todo_items(
            session=session, viewer=on_target, now=local(2026, 11, 5), config=EDUCATION, tz=TZ
        )
        == []
    )
    # Not a grid member (a town head): no continuing-education item.
    town_head = Viewer(person_id=hours.person_id("town_head"), name="虹桥镇长", posts=())
    assert (
        await todo_items(
            session=session, viewer=town_head, now=local(2026, 11, 5), config=EDUCATION, tz=TZ
        )
        == []
    )


# --- /study input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("今天", TODAY),
        ("昨天", date(2026, 12, 9)),
        ("12月3日", date(2026, 12, 3)),
        ("12月3号", date(2026, 12, 3)),
        ("2026-12-03", date(2026, 12, 3)),
        ("2026年1月5日", date(2026, 1, 5)),
        ("2025/11/30", date(2025, 11, 30)),
    ],
)
def test_study_dates(text: str, expected: date) -> None:
    assert parse_study_date(text, today=TODAY) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("明天见", "bad"),
        ("12月11日", "future"),
        ("2026-02-30", "bad"),
        ("2024-12-01", "old"),
    ],
)
def test_bad_study_dates(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_study_date(text, today=TODAY)


def test_hours_in_half_steps() -> None:
    assert parse_hours("2") == 2
    assert parse_hours("1.5学时") == 1.5
    assert parse_hours("0.5") == 0.5
    assert parse_hours("8小时") == 8
    assert parse_hours("12小时", most=12) == 12
    for bad in ("0", "0.3", "8.5", "12", "13", "٣", "两点", "-1", ""):
        assert parse_hours(bad) is None, bad


# --- Import --------------------------------------------------------------------------------


def write_sheet(path: Path, rows: list[list[object]]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["手机号", "日期", "内容", "学时"])
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


async def count_records(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return (await session.exec(select(func.count()).select_from(StudyRecord))).one()


async def run_import(sessions: async_sessionmaker[AsyncSession], path: Path):  # type: ignore[no-untyped-def]
    async with sessions() as session, session.begin():
        return await import_study_file(session=session, path=path, today=TODAY, limits=HourLimits())


async def test_import_good_file_then_again_adds_nothing(
    sessions: async_sessionmaker[AsyncSession], small_city: SmallCity, tmp_path: Path
) -> None:
    path = write_sheet(
        tmp_path / "学时.xlsx",
        [
            # An Excel date cell: naive by nature (Excel stores no time zone).
            ["13812345678", datetime(2026, 11, 20), "联网直报业务培训", 3],  # noqa: DTZ001
            [13900000007, "2026-11-21", "统计法律法规培训", "2.5"],
            ["13900000005", "12月1日", "统计法律法规培训", 4],
        ],
    )
    first = await run_import(sessions, path)
    assert first.errors == ()
    assert (first.imported, first.skipped) == (3, 0)
    again = await run_import(sessions, path)
    assert (again.errors, again.imported, again.skipped) == ((), 0, 3)
    assert await count_records(sessions) == 3
    async with sessions() as session:
        totals = await hours_by_person(session=session, year=2026)
        sources = set((await session.exec(select(StudyRecord.source))).all())
    assert totals[small_city.person_id("other_member")] == 2.5
    assert sources == {SOURCE_IMPORT}


async def test_import_skips_what_the_member_recorded_themself(
    sessions: async_sessionmaker[AsyncSession], small_city: SmallCity, tmp_path: Path
) -> None:
    await record(sessions, small_city, "member", 2)  # 2026-03-01 统计法律法规培训
    path = write_sheet(
        tmp_path / "学时.xlsx", [["13812345678", "2026-03-01", "统计法律法规培训", 2]]
    )
    result = await run_import(sessions, path)
    assert (result.imported, result.skipped) == (0, 1)
    assert await count_records(sessions) == 1


async def test_import_with_bad_rows_imports_nothing_and_names_the_rows(
    sessions: async_sessionmaker[AsyncSession], small_city: SmallCity, tmp_path: Path
) -> None:
    del small_city
    path = write_sheet(
        tmp_path / "学时.xlsx",
        [
            ["13812345678", "2026-11-20", "联网直报业务培训", 3],
            ["1381234", "2026-11-20", "培训", 3],
            ["13700000000", "2026-11-20", "培训", 3],
            ["13812345678", "2026-12-11", "培训", 3],
            ["13812345678", "2026-11-22", "", 13],
            [],
            ["13812345678", "2026-11-20", "联网直报业务培训", 1],
        ],
    )
    result = await run_import(sessions, path)
    assert result.imported == 0
    assert list(result.errors) == [
        "第3行 手机号：「1381234」不是有效的手机号",
        "第4行 手机号：13700000000 不在花名册中（或已被接替）",
        "第5行 日期：不能晚于今天",
        "第6行 内容：不能为空，且不超过100字",
        "第6行 学时：须为 0.5–8 之间、以 0.5 为单位的数字",
        "第8行 内容：与第2行重复（同一人、同一天、同一内容）",
    ]
    assert await count_records(sessions) == 0


async def test_import_needs_the_headers(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["手机", "日期", "内容"])
    workbook.save(tmp_path / "x.xlsx")
    result = await run_import(sessions, tmp_path / "x.xlsx")
    assert result.errors == ("缺少表头：手机号、学时（第1行须为：手机号、日期、内容、学时）",)


async def test_import_keeps_every_day_within_the_daily_cap(
    sessions: async_sessionmaker[AsyncSession], small_city: SmallCity, tmp_path: Path
) -> None:
    await record(sessions, small_city, "member", 6)  # 2026-03-01, by the member with /study
    path = write_sheet(
        tmp_path / "学时.xlsx",
        [
            ["13812345678", "2026-11-20", "上午培训", 4],
            ["13812345678", "2026-11-20", "下午培训", 4],
            ["13812345678", "2026-11-20", "晚上培训", 4],
            ["13812345678", "2026-03-01", "另一次培训", 3],
            ["13812345678", "2026-11-21", "一整天", 12],
            ["13812345678", "2026-11-22", "培训", "٣"],
        ],
    )
    result = await run_import(sessions, path)
    assert list(result.errors) == [
        "第4行 学时：2026-11-20 共 12 学时，超过每天 8 学时的上限",
        "第5行 学时：2026-03-01 共 9 学时（含此前已登记的 6 学时），超过每天 8 学时的上限",
        "第6行 学时：须为 0.5–8 之间、以 0.5 为单位的数字",
        "第7行 学时：须为 0.5–8 之间、以 0.5 为单位的数字",
    ]
    assert await count_records(sessions) == 1
    # The cap comes from the duties file's [education] section.
    roomy = HourLimits(per_entry=12, per_day=24)
    async with sessions() as session, session.begin():
        result = await import_study_file(session=session, path=path, today=TODAY, limits=roomy)
    assert list(result.errors) == ["第7行 学时：须为 0.5–12 之间、以 0.5 为单位的数字"]


def test_the_duties_file_refuses_an_entry_cap_above_the_daily_cap(tmp_path: Path) -> None:
    duties = tmp_path / "duties.toml"
    duties.write_text(
        "[reporting_deadlines]\nenabled = false\n"
        "[education]\nmax_hours_per_entry = 10\nmax_hours_per_day = 8\n",
        encoding="utf-8",
    )
    with pytest.raises(DutyConfigError, match="max_hours_per_entry"):
        load_duties(duties)
