"""联网直报 deadline reminders: the calendar file, working days (holidays, 调休), one combined
message per person and day, and catch-up after the deadline."""

from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import chinese_calendar  # type: ignore[import-untyped]
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import Industry, Scale
from models.tables import SurveyObject, TelegramBinding
from services.duties import engine
from services.duties.calendar import parse_calendar
from services.duties.config import (
    CalendarError,
    DutiesConfig,
    DutyConfigError,
    load_calendar,
    load_duties,
)
from services.duties.reporting_deadlines import ReportingDeadlineDuty
from tests.conftest import SmallCity
from tests.factories import valid_uscc

TZ = ZoneInfo("Asia/Shanghai")
EXAMPLE_FILE = Path("services/duties/reporting_calendar.example.toml")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


def calendar(*entries: dict[str, Any], example: bool = False) -> Any:
    return parse_calendar({"example": example, "deadline": list(entries)})


def duty(*entries: dict[str, Any], before: int = 3, example: bool = False) -> ReportingDeadlineDuty:
    config = DutiesConfig.model_validate(
        {"reporting_deadlines": {"remind_workdays_before": before}}
    )
    return ReportingDeadlineDuty(config, tz=TZ, calendar=calendar(*entries, example=example))


def monthly(name: str, day: int, months: list[int], industries: list[str]) -> dict[str, Any]:
    return {
        "name": name,
        "industries": industries,
        "frequency": "月报",
        "day": day,
        "months": months,
    }


async def add_trade_enterprise(
    sessions: async_sessionmaker[AsyncSession], city: SmallCity, keeper: str
) -> None:
    grid = city.grids["虹桥镇网格"]
    assert grid.id is not None
    assert grid.parent_id is not None
    async with sessions() as session, session.begin():
        session.add(
            SurveyObject(
                name="乐清市虹桥商贸有限公司",
                uscc=valid_uscc(9),
                industry=Industry.TRADE,
                scale=Scale.ABOVE_SCALE,
                town_id=grid.parent_id,
                grid_id=grid.id,
                statistician_id=city.person_id(keeper),
            )
        )


def test_2026_calendar_facts_the_tests_rely_on() -> None:
    # 国庆中秋: 10月1–7日 off (9月25日 too), 10月10日 (Saturday) is a 调休 working day.
    assert not chinese_calendar.is_workday(date(2026, 10, 5))
    assert not chinese_calendar.is_workday(date(2026, 9, 25))
    assert chinese_calendar.is_workday(date(2026, 9, 30))
    assert chinese_calendar.is_workday(date(2026, 10, 10))
    assert date(2026, 10, 10).weekday() == 5


async def test_reminded_n_working_days_before_with_every_enterprise_in_one_message(
    session: AsyncSession, small_city: SmallCity
) -> None:
    # 12月10日 2026 is a Thursday: three working days before is Monday 12月7日.
    reporting = duty(monthly("工业月报", 10, [12], ["工业"]), example=True)
    assert await reporting.reminders(session=session, at=local(2026, 12, 7, 8, 59)) == []
    found = await reporting.reminders(session=session, at=local(2026, 12, 7, 9, 0))
    by_person = {r.person_id: r for r in found}
    assert set(by_person) == {small_city.person_id("member"), small_city.person_id("other_member")}
    mine = by_person[small_city.person_id("member")]
    assert mine.key == ("reporting_deadline", f"person:{mine.person_id}", "2026-12-10", "pre")
    assert mine.due_at == local(2026, 12, 7, 9, 0)
    assert mine.deadline == local(2026, 12, 11)
    assert "12月10日（周四）" in mine.text
    assert "乐清市虹桥电气有限公司" in mine.text
    assert "乐清市虹桥开关厂" in mine.text
    assert "柳市仪表" not in mine.text
    assert "示例日历" in mine.text
    # Later the same reminder is still computed (the engine filters it by its claim).
    later = await reporting.reminders(session=session, at=local(2026, 12, 9, 15, 0))
    assert {r.key for r in later} == {r.key for r in found}


async def test_several_reports_on_one_day_make_one_message_and_no_example_note(
    session: AsyncSession, sessions: async_sessionmaker[AsyncSession], small_city: SmallCity
) -> None:
    await add_trade_enterprise(sessions, small_city, "member")
    reporting = duty(
        monthly("工业月报", 10, [12], ["工业"]),
        monthly("批发零售月报", 10, [12], ["贸易"]),
        monthly("建筑业月报", 10, [12], ["建筑业"]),
    )
    found = await reporting.reminders(session=session, at=local(2026, 12, 7, 9, 0))
    mine = [r for r in found if r.person_id == small_city.person_id("member")]
    assert len(mine) == 1
    text = mine[0].text
    industry_line = next(line for line in text.splitlines() if line.startswith("• 工业月报："))
    assert "乐清市虹桥电气有限公司" in industry_line
    assert "乐清市虹桥开关厂" in industry_line
    assert "• 批发零售月报：乐清市虹桥商贸有限公司" in text
    assert "建筑业月报" not in text
    assert "示例" not in text
    other = [r for r in found if r.person_id == small_city.person_id("other_member")]
    assert len(other) == 1
    assert "批发零售月报" not in other[0].text


async def test_deadline_on_a_holiday_moves_to_the_previous_working_day(
    session: AsyncSession, small_city: SmallCity
) -> None:
    # 10月5日 is in the National Day holiday: the deadline becomes 9月30日; three working days
    # before that, skipping 9月27日 (Sunday), 9月26日 (Saturday) and 9月25日 (中秋), is 9月24日.
    reporting = duty(monthly("工业月报", 5, [10], ["工业"]))
    assert reporting.due_day(date(2026, 9, 30)) == date(2026, 9, 24)
    assert await reporting.reminders(session=session, at=local(2026, 9, 23, 18, 0)) == []
    found = await reporting.reminders(session=session, at=local(2026, 9, 24, 9, 0))
    mine = next(r for r in found if r.person_id == small_city.person_id("member"))
    assert mine.period == "2026-09-30"
    assert mine.deadline == local(2026, 10, 1)
    assert "9月30日（周三）" in mine.text
    assert "原定10月5日（周一），遇休息日提前" in mine.text


async def test_a_tiaoxiu_saturday_counts_as_a_working_day(
    session: AsyncSession, small_city: SmallCity
) -> None:
    # 10月12日 (Monday): one working day before is the 调休 Saturday 10月10日.
    reporting = duty(monthly("工业月报", 12, [10], ["工业"]), before=1)
    found = await reporting.reminders(session=session, at=local(2026, 10, 10, 9, 0))
    assert {r.due_at for r in found} == {local(2026, 10, 10, 9, 0)}
    # A deadline on that Saturday stays there, and with 0 days before it is reminded that day.
    on_the_day = duty(monthly("工业月报", 10, [10], ["工业"]), before=0)
    found = await on_the_day.reminders(session=session, at=local(2026, 10, 10, 9, 0))
    mine = next(r for r in found if r.person_id == small_city.person_id("member"))
    assert mine.period == "2026-10-10"
    assert "今天" in mine.text
    assert "原定" not in mine.text


async def test_catch_up_after_the_deadline_is_skipped_and_before_it_is_sent(
    sessions: async_sessionmaker[AsyncSession], small_city: SmallCity
) -> None:
    async with sessions() as session, session.begin():
        for key, telegram_id in (("member", 9101), ("other_member", 9102)):
            session.add(
                TelegramBinding(person_id=small_city.person_id(key), telegram_user_id=telegram_id)
            )
    reporting = duty(monthly("工业月报", 10, [12], ["工业"]))
    # The bot was down from before 12月7日 until after the 12月10日 deadline.
    late = await engine.run_due(sessions=sessions, duties=[reporting], now=local(2026, 12, 11, 9))
    assert late.queued == []
    assert {r.person_id for r, _ in late.skipped} == {
        small_city.person_id("member"),
        small_city.person_id("other_member"),
    }
    again = await engine.run_due(sessions=sessions, duties=[reporting], now=local(2026, 12, 11, 10))
    assert again.queued == []
    assert again.skipped == []
    # Another deadline caught up before it passes goes out, once.
    january = duty(monthly("工业月报", 11, [1], ["工业"]))
    sent = await engine.run_due(sessions=sessions, duties=[january], now=local(2027, 1, 8, 12))
    assert len(sent.queued) == 2
    twice = await engine.run_due(sessions=sessions, duties=[january], now=local(2027, 1, 8, 13))
    assert twice.queued == []


def test_the_shipped_calendar_is_a_labelled_example() -> None:
    shipped = load_calendar(EXAMPLE_FILE)
    assert shipped.example is True
    assert all("示例" in entry.name for entry in shipped.deadline)
    head = EXAMPLE_FILE.read_text(encoding="utf-8").splitlines()[:5]
    assert any("示例" in line and "EXAMPLE" in line for line in head)
    covered = {industry for entry in shipped.deadline for industry in entry.industries}
    assert covered == set(Industry)
    assert {entry.frequency.value for entry in shipped.deadline} == {"月报", "季报", "年报"}


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        (
            {"industries": ["制造业"]},
            "第2条「批发零售月报」 industries（适用行业）：「制造业」不是有效的行业",
        ),
        ({"frequency": "周报"}, "第2条「批发零售月报」 frequency（频率）：「周报」不是有效的频率"),
        ({"day": 31}, "第2条「批发零售月报」 day（截止日）：不能大于28"),
        ({"frequency": "年报", "months": None}, "年报须用 months 写明"),
        ({"frequency": "季报", "months": [1, 4, 7]}, "季报的 months 须正好写4个月份"),
        ({"name": ""}, "第2条 name（报表名称）：不能为空"),
        ({"colour": "red"}, "第2条「批发零售月报」 colour：不认识的字段"),
    ],
)
def test_calendar_errors_name_the_entry_in_chinese(entry: dict[str, Any], problem: str) -> None:
    good = monthly("工业月报", 10, [12], ["工业"])
    bad = {**monthly("批发零售月报", 10, [12], ["贸易"]), **entry}
    bad = {k: v for k, v in bad.items() if v is not None}
    with pytest.raises(ValueError, match=r"报表|行业|频率|截止日|months|不认识") as caught:
        parse_calendar({"example": True, "deadline": [good, bad]})
    assert problem in str(caught.value), str(caught.value)


def test_calendar_without_example_flag_or_entries_is_refused() -> None:
    with pytest.raises(ValueError, match="example（是否示例）：缺少此项"):
        parse_calendar({"deadline": [monthly("工业月报", 10, [12], ["工业"])]})
    with pytest.raises(ValueError, match="deadline（截止日条目）：不能为空"):
        parse_calendar({"example": False, "deadline": []})


def test_a_bad_calendar_stops_loading_the_duties_file(tmp_path: Path) -> None:
    (tmp_path / "calendar.toml").write_text(
        'example = false\n[[deadline]]\nname = "工业月报"\nindustries = ["工业"]\n'
        'frequency = "月报"\nday = 40\n',
        encoding="utf-8",
    )
    duties_file = tmp_path / "duties.toml"
    duties_file.write_text('[reporting_deadlines]\ncalendar = "calendar.toml"\n', encoding="utf-8")
    with pytest.raises(
        DutyConfigError, match="第1条「工业月报」 day（截止日）：不能大于28"
    ) as caught:
        load_duties(duties_file)
    assert isinstance(caught.value, CalendarError)
    # The shipped duties file and its example calendar load.
    assert load_duties().reporting_deadlines.remind_workdays_before >= 0
