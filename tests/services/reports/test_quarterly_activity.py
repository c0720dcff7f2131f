"""The quarterly activity duty with a chosen clock: the reminder on the first working day of the
quarter's second month only for grids without an activity, the escalation to the town, the
summary to the towns and the city, and the status."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from models.db import transaction
from models.enums import ActivityKind, Role
from models.tables import Activity, ActivityGrid, Assignment, Person
from services.duties.base import Reminder
from services.duties.config import QuarterlyActivityConfig
from services.reports.quarterly_activity import (
    QuarterlyActivityDuty,
    quarterly_status,
    schedule,
)
from tests.conftest import SmallCity

Sessions = async_sessionmaker[AsyncSession]
SHANGHAI = ZoneInfo("Asia/Shanghai")
NINE = time(9, 0)


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def duty(**overrides: object) -> QuarterlyActivityDuty:
    return QuarterlyActivityDuty(QuarterlyActivityConfig(**overrides), send_time=NINE, tz=SHANGHAI)


async def add_activity(
    sessions: Sessions, city: SmallCity, grid_key: str, starts: str, *, cancelled: bool = False
) -> None:
    start = local(starts)
    async with transaction(sessions) as session:
        activity = Activity(
            kind=ActivityKind.TEAM,
            title=f"团建{starts}",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            place="镇文化礼堂",
            organiser_id=city.person_id("admin"),
            code_secret="s" * 32,
            link_token_hash=f"{grid_key}{starts}{cancelled}".ljust(64, "h")[:64],
            cancelled_at=start if cancelled else None,
        )
        session.add(activity)
        await session.flush()
        assert activity.id is not None
        grid_id = city.grids[grid_key].id
        assert grid_id is not None
        session.add(ActivityGrid(activity_id=activity.id, grid_id=grid_id))


@pytest.fixture
async def city(sessions: Sessions, small_city: SmallCity) -> SmallCity:
    """柳市镇网格 holds a Q4 activity; 虹桥镇网格 only a cancelled one and one in Q3. 虹桥镇 has a
    分管负责人 too."""
    await add_activity(sessions, small_city, "柳市镇网格", "2026-12-10T14:00")
    await add_activity(sessions, small_city, "虹桥镇网格", "2026-11-20T14:00", cancelled=True)
    await add_activity(sessions, small_city, "虹桥镇网格", "2026-09-30T14:00")
    async with transaction(sessions) as session:
        deputy = Person(name="钱分管", mobile="13900000012")
        session.add(deputy)
        await session.flush()
        assert deputy.id is not None
        town_id = small_city.grids["虹桥镇"].id
        assert town_id is not None
        session.add(Assignment(person_id=deputy.id, grid_id=town_id, role=Role.TOWN_DEPUTY))
    small_city.people["deputy"] = deputy
    return small_city


async def q4(sessions: Sessions, at: str) -> list[Reminder]:
    async with sessions() as session:
        found = await duty().reminders(session=session, at=local(at))
    return [r for r in found if r.period == "2026Q4"]


def test_schedule_of_the_fourth_quarter_2026() -> None:
    plan = schedule("2026Q4", config=QuarterlyActivityConfig(), send_time=NINE, tz=SHANGHAI)
    assert plan.start == local("2026-10-01T00:00")
    assert plan.end == local("2027-01-01T00:00")
    assert plan.remind_at == local("2026-11-02T09:00")  # Monday, the first working day
    assert plan.escalate_at == local("2026-12-17T09:00")  # 31 - 14
    assert plan.summary_at == local("2026-12-31T09:00")


def test_schedule_moves_off_holidays() -> None:
    # 1–5 May 2026 are the Labour Day holiday: the first working day of May is the 6th.
    plan = schedule("2026Q2", config=QuarterlyActivityConfig(), send_time=NINE, tz=SHANGHAI)
    assert plan.remind_at == local("2026-05-06T09:00")
    # 30 September - 5 = the 25th, the Mid-autumn Festival: escalate on Thursday the 24th.
    plan = schedule(
        "2026Q3",
        config=QuarterlyActivityConfig(escalate_days_before_end=5),
        send_time=NINE,
        tz=SHANGHAI,
    )
    assert plan.escalate_at.astimezone(SHANGHAI).date() == date(2026, 9, 24)


async def test_reminder_only_for_grids_without_an_activity(
    sessions: Sessions, city: SmallCity
) -> None:
    assert await q4(sessions, "2026-11-02T08:59") == []
    due = await q4(sessions, "2026-11-02T09:00")
    # 虹桥镇网格: its Q4 activity was cancelled, its other one is in Q3. 柳市镇网格 has one.
    assert {(r.step, r.person_id, r.target) for r in due} == {
        ("remind", city.person_id(key), f"person:{city.person_id(key)}")
        for key in ("grid_head", "instructor")
    }
    reminder = due[0]
    assert reminder.deadline == local("2027-01-01T00:00")
    assert "虹桥镇·工业网格1" in reminder.text
    assert "2026年第四季度" in reminder.text
    assert "/activity" in reminder.text


async def test_a_scheduled_activity_stops_the_reminder(sessions: Sessions, city: SmallCity) -> None:
    await add_activity(sessions, city, "虹桥镇网格", "2026-12-20T14:00")
    assert await q4(sessions, "2026-11-02T09:00") == []


async def test_escalation_to_the_town_lists_grids_without_an_activity(
    sessions: Sessions, city: SmallCity
) -> None:
    before = [r for r in await q4(sessions, "2026-12-17T08:59") if r.step == "escalate"]
    due = [r for r in await q4(sessions, "2026-12-17T09:00") if r.step == "escalate"]
    assert before == []
    town = city.grids["虹桥镇"].id
    assert {(r.person_id, r.target) for r in due} == {
        (city.person_id(key), f"town:{town}:person:{city.person_id(key)}")
        for key in ("town_head", "deputy")
    }
    assert "虹桥镇" in due[0].text
    assert "• 虹桥镇·工业网格1" in due[0].text
    assert "柳市镇" not in due[0].text


async def test_summary_to_the_towns_and_the_city(sessions: Sessions, city: SmallCity) -> None:
    due = [r for r in await q4(sessions, "2026-12-31T09:00") if r.step == "summary"]
    by_person = {r.person_id: r for r in due}
    assert set(by_person) == {
        city.person_id(key) for key in ("town_head", "deputy", "other_town_head", "admin")
    }
    admin = by_person[city.person_id("admin")]
    assert admin.target == f"city:person:{city.person_id('admin')}"
    assert admin.deadline is None
    assert "全市2026年第四季度网格活动情况" in admin.text
    assert "已开展活动的网格 1/2 个" in admin.text
    assert "已开展：柳市镇·工业网格1" in admin.text
    assert "未开展：虹桥镇·工业网格1" in admin.text
    hongqiao = by_person[city.person_id("town_head")].text
    assert "已开展活动的网格 0/1 个" in hongqiao
    assert "柳市镇" not in hongqiao
    assert "已开展：柳市镇·工业网格1" in by_person[city.person_id("other_town_head")].text


async def test_quarterly_status(sessions: Sessions, city: SmallCity) -> None:
    async with sessions() as session:
        status = await quarterly_status(
            session=session, quarter="2026Q4", town_ids=None, tz=SHANGHAI
        )
        third = await quarterly_status(
            session=session,
            quarter="2026Q3",
            town_ids=[city.grids["虹桥镇"].id or 0],
            tz=SHANGHAI,
        )
    assert [
        (t.town_name, [(g.grid_name, g.activities) for g in t.grids]) for t in status.towns
    ] == [
        ("柳市镇", [("柳市镇·工业网格1", 1)]),
        ("虹桥镇", [("虹桥镇·工业网格1", 0)]),
    ]
    assert [g.grid_name for t in status.towns for g in t.without] == ["虹桥镇·工业网格1"]
    assert [(t.town_name, t.grids[0].activities) for t in third.towns] == [("虹桥镇", 1)]
