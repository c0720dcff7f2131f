"""The monthly grid report duty on a real database with a chosen clock: when reminders fall
(moved off holidays and onto 调休 Saturdays), who is reminded, the digest, the hearing and its
escalation, submitting (replace, late, final), the status and /todo."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.db import transaction
from models.enums import GridLevel, Industry, ReminderStatus, Role
from models.tables import (
    Assignment,
    Grid,
    MonthlyReport,
    OutboxMessage,
    Person,
    ReminderClaim,
    ReportHearing,
    TelegramBinding,
)
from services.duties import engine
from services.duties.base import Reminder
from services.duties.config import MonthlyReportConfig, load_duties
from services.duties.monthly_report import (
    MonthlyReportDuty,
    monthly_status,
    schedule,
    todo_items,
)
from services.onboarding import load_viewer
from services.reports import monthly as reports
from services.workdays import is_workday
from tests.conftest import SmallCity

Sessions = async_sessionmaker[AsyncSession]
SHANGHAI = ZoneInfo("Asia/Shanghai")
NINE = time(9, 0)


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def duty(**overrides: object) -> MonthlyReportDuty:
    return MonthlyReportDuty(MonthlyReportConfig(**overrides), send_time=NINE, tz=SHANGHAI)


class City:
    """The small city plus a second 虹桥镇 grid with its own 网格长, a 分管负责人 for 虹桥镇,
    and Telegram accounts for the people the duty writes to."""

    def __init__(self, small: SmallCity, second_grid: Grid, second_head: Person, deputy: Person):
        self.small = small
        self.second_grid = second_grid
        self.second_head = second_head
        self.deputy = deputy

    def id(self, key: str) -> int:
        return self.small.person_id(key)

    def grid(self, key: str) -> int:
        grid_id = self.small.grids[key].id
        assert grid_id is not None
        return grid_id


@pytest.fixture
async def city(sessions: Sessions, small_city: SmallCity) -> City:
    async with transaction(sessions) as session:
        hongqiao = small_city.grids["虹桥镇"]
        second = Grid(
            level=GridLevel.GRID,
            name="虹桥镇·工业网格2",
            parent_id=hongqiao.id,
            industry=Industry.INDUSTRY,
            seq=2,
        )
        head = Person(name="赵网格长", mobile="13900000011")
        deputy = Person(name="钱分管", mobile="13900000012")
        session.add_all([second, head, deputy])
        await session.flush()
        assert second.id is not None
        assert head.id is not None
        assert deputy.id is not None
        assert hongqiao.id is not None
        session.add(Assignment(person_id=head.id, grid_id=second.id, role=Role.GRID_HEAD))
        session.add(Assignment(person_id=deputy.id, grid_id=hongqiao.id, role=Role.TOWN_DEPUTY))
        people = [small_city.person_id(k) for k in ("grid_head", "town_head", "admin")]
        for n, person_id in enumerate([*people, head.id, deputy.id]):
            session.add(TelegramBinding(person_id=person_id, telegram_user_id=9100 + n))
    return City(small_city, second, head, deputy)


async def submit(
    sessions: Sessions, city: City, *, key: str, grid_key: str, at: datetime, text: str = "x"
) -> reports.Submitted:
    """Submit a report as the person `key` through the service (what [提交] does)."""
    async with transaction(sessions) as session:
        viewer = await load_viewer(session=session, telegram_user_id=9100)
        assert viewer is not None
        assert viewer.person_id == city.id(key)
        draft = await reports.start_draft(
            session=session, viewer=viewer, grid_id=city.grid(grid_key), now=at, duty=duty()
        )
        draft.parts.extend([text, "报表按时报送", "暂无", "组织学习"])
        return await reports.submit_report(
            session=session, viewer=viewer, draft=draft, now=at, duty=duty()
        )


async def december(session: AsyncSession, at: str) -> list[Reminder]:
    """December's reminders due at `at` (November's steps are listed too, as the engine needs)."""
    due = await duty().reminders(session=session, at=local(at))
    return [r for r in due if r.period == "2026-12"]


# --- When -----------------------------------------------------------------------------------


def test_schedule_of_december_2026() -> None:
    plan = schedule("2026-12", config=MonthlyReportConfig(), send_time=NINE, tz=SHANGHAI)
    assert plan.deadline == date(2026, 12, 25)
    # 25 - 5 = Sunday the 20th: moved to Friday the 18th.
    assert plan.reminders == (
        ("d-5", local("2026-12-18T09:00").astimezone(UTC)),
        ("d-1", local("2026-12-24T09:00").astimezone(UTC)),
        ("d0", local("2026-12-25T09:00").astimezone(UTC)),
    )
    assert plan.deadline_end == local("2026-12-26T00:00")
    # The first working day after the deadline (Friday) is Monday the 28th.
    assert plan.digest_at == local("2026-12-28T09:00")


def test_deadline_on_a_saturday_moves_to_friday() -> None:
    # 2026-04-25 is a Saturday and no 调休 working day.
    assert not is_workday(date(2026, 4, 25))
    plan = schedule("2026-04", config=MonthlyReportConfig(), send_time=NINE, tz=SHANGHAI)
    assert plan.deadline == date(2026, 4, 24)
    assert [due.astimezone(SHANGHAI).date() for _s, due in plan.reminders] == [
        date(2026, 4, 17),  # 24 - 5 = Sunday the 19th -> Friday the 17th
        date(2026, 4, 23),
        date(2026, 4, 24),
    ]


def test_deadline_on_a_holiday_moves_to_the_previous_working_day() -> None:
    # 2026-09-25 (Friday) is the Mid-autumn Festival.
    assert not is_workday(date(2026, 9, 25))
    plan = schedule("2026-09", config=MonthlyReportConfig(), send_time=NINE, tz=SHANGHAI)
    assert plan.deadline == date(2026, 9, 24)
    assert plan.reminders[0] == ("d-5", local("2026-09-18T09:00"))  # Sat 19th -> Fri 18th


def test_a_tiaoxiu_saturday_is_a_working_day_and_keeps_the_deadline() -> None:
    # 2026-10-10 is a Saturday worked in exchange for the National Day holiday (调休).
    assert is_workday(date(2026, 10, 10))
    plan = schedule(
        "2026-10", config=MonthlyReportConfig(deadline_day=10), send_time=NINE, tz=SHANGHAI
    )
    assert plan.deadline == date(2026, 10, 10)
    days = [due.astimezone(SHANGHAI).date() for _s, due in plan.reminders]
    # 10 - 5 = the 5th, inside the National Day holiday (1st-7th): back to 30 September.
    assert days == [date(2026, 9, 30), date(2026, 10, 9), date(2026, 10, 10)]
    assert plan.digest_at == local("2026-10-12T09:00")


def test_hearing_deadline_is_the_fifth_working_day_of_the_next_month() -> None:
    plan = schedule("2026-11", config=MonthlyReportConfig(), send_time=NINE, tz=SHANGHAI)
    assert plan.hearing_by == date(2026, 12, 7)  # 1, 2, 3, 4 and Monday the 7th
    assert plan.escalate_at == local("2026-12-08T09:00")


# --- Who ------------------------------------------------------------------------------------


async def test_first_reminder_goes_to_every_grid_head_at_nine(
    sessions: Sessions, city: City
) -> None:
    async with sessions() as session:
        early = await december(session, "2026-12-18T08:59")
        due = await december(session, "2026-12-18T09:00")
    assert early == []
    assert {(r.step, r.person_id, r.target) for r in due} == {
        ("d-5", city.id("grid_head"), f"person:{city.id('grid_head')}"),
        ("d-5", city.second_head.id, f"person:{city.second_head.id}"),
    }
    first = next(r for r in due if r.person_id == city.id("grid_head"))
    assert first.period == "2026-12"
    assert first.due_at == local("2026-12-18T09:00")
    assert first.deadline == local("2026-12-26T00:00")
    assert "虹桥镇·工业网格1" in first.text
    assert "12月25日（周五）" in first.text
    assert "/report" in first.text


async def test_only_heads_who_have_not_submitted_are_reminded(
    sessions: Sessions, city: City
) -> None:
    await submit(
        sessions, city, key="grid_head", grid_key="虹桥镇网格", at=local("2026-12-20T10:00")
    )
    async with sessions() as session:
        due = await december(session, "2026-12-24T09:00")
    assert {(r.step, r.person_id) for r in due} == {
        ("d-5", city.second_head.id),
        ("d-1", city.second_head.id),
    }


async def test_the_engine_sends_the_first_reminder_once_and_skips_expired_ones(
    sessions: Sessions, city: City
) -> None:
    monthly = duty()
    # November's steps first (a catch-up: its reminders expired, its digest goes out).
    await engine.run_due(sessions=sessions, duties=[monthly], now=local("2026-12-17T09:00"))
    first = await engine.run_due(sessions=sessions, duties=[monthly], now=local("2026-12-18T09:05"))
    again = await engine.run_due(sessions=sessions, duties=[monthly], now=local("2026-12-18T09:10"))
    heads = [city.id("grid_head"), city.second_head.id]
    assert sorted(r.person_id for r in first.queued) == sorted(heads)
    assert again.queued == []
    assert again.already == 0
    # Down from the 19th to the 28th: d-1 and d0 are past their deadline, the digest is not.
    later = await engine.run_due(sessions=sessions, duties=[monthly], now=local("2026-12-28T09:30"))
    skipped = sorted((r.step, r.person_id, note) for r, note in later.skipped)
    assert skipped == sorted(
        [
            *[(step, pid, engine.NOTE_EXPIRED) for step in ("d-1", "d0") for pid in heads],
            ("digest", city.id("other_town_head"), engine.NOTE_UNBOUND),
        ]
    )
    assert sorted(r.person_id for r in later.queued if r.step == "digest") == sorted(
        [city.id("town_head"), city.deputy.id]
    )
    async with sessions() as session:
        claims = (
            await session.exec(select(ReminderClaim).where(ReminderClaim.period == "2026-12"))
        ).all()
        sent = (
            await session.exec(
                select(OutboxMessage).where(col(OutboxMessage.dedupe_key).contains(":2026-12:"))
            )
        ).all()
    assert sum(c.status == ReminderStatus.SKIPPED for c in claims) == 5
    assert sum(c.status == ReminderStatus.QUEUED for c in claims) == 4
    assert len(sent) == 4  # two d-5 reminders, the digest to the town head and the deputy


async def test_digest_lists_submitted_and_missing_grids(sessions: Sessions, city: City) -> None:
    done = await submit(
        sessions, city, key="grid_head", grid_key="虹桥镇网格", at=local("2026-12-20T10:00")
    )
    async with sessions() as session:
        before = await december(session, "2026-12-28T08:59")
        due = await december(session, "2026-12-28T09:00")
    assert not [r for r in before if r.step == "digest"]
    digests = {r.person_id: r for r in due if r.step == "digest"}
    # 柳市镇 has a grid but no 二级网格长 other than other_town_head, who gets its digest.
    assert set(digests) == {city.id("town_head"), city.deputy.id, city.id("other_town_head")}
    head = digests[city.id("town_head")]
    assert head.target == f"town:{city.grid('虹桥镇')}:person:{city.id('town_head')}"
    assert head.deadline is None
    assert "已提交 1/2" in head.text
    assert "虹桥镇·工业网格1：王网格长，12-20 10:00" in head.text
    assert "虹桥镇·工业网格2（网格长：赵网格长）" in head.text
    assert head.reply_markup == {
        "inline_keyboard": [
            [{"text": "查看 虹桥镇·工业网格1", "callback_data": f"mr:v:{done.report_id}"}],
            [{"text": "已听取汇报", "callback_data": f"mr:h:{city.grid('虹桥镇')}:2026-12"}],
        ]
    }
    # The 分管负责人 reads the same digest without the hearing button.
    deputy = digests[city.deputy.id]
    assert deputy.reply_markup == {"inline_keyboard": [head.reply_markup["inline_keyboard"][0]]}
    assert "已听取汇报" not in str(deputy.reply_markup)
    other = digests[city.id("other_town_head")]
    assert "已提交 0/1" in other.text


async def test_escalation_when_the_hearing_is_not_confirmed_by_the_fifth_working_day(
    sessions: Sessions, city: City
) -> None:
    async with transaction(sessions) as session:
        viewer = await load_viewer(session=session, telegram_user_id=9101)  # town_head
        assert viewer is not None
        hearing = await reports.confirm_hearing(
            session=session,
            viewer=viewer,
            town_id=city.grid("虹桥镇"),
            period="2026-11",
            now=local("2026-12-01T15:00"),
            duty=duty(),
        )
    assert hearing.outcome == reports.HearingOutcome.CONFIRMED
    async with sessions() as session:
        on_the_day = await duty().reminders(session=session, at=local("2026-12-07T23:00"))
        after = await duty().reminders(session=session, at=local("2026-12-08T09:00"))
    assert not [r for r in on_the_day if r.step == "escalate"]
    escalations = [r for r in after if r.step == "escalate"]
    # 虹桥镇 confirmed: only 柳市镇 goes to the city 管理员.
    assert [(r.person_id, r.target, r.period) for r in escalations] == [
        (city.id("admin"), f"town:{city.grid('柳市镇')}:person:{city.id('admin')}", "2026-11")
    ]
    assert "柳市镇二级网格长（柳市镇长）" in escalations[0].text
    assert "12月7日（周一）" in escalations[0].text


async def test_no_escalation_when_every_town_confirmed(sessions: Sessions, city: City) -> None:
    async with transaction(sessions) as session:
        for town, head in (("虹桥镇", "town_head"), ("柳市镇", "other_town_head")):
            session.add(
                ReportHearing(town_id=city.grid(town), period="2026-11", confirmed_by=city.id(head))
            )
    async with sessions() as session:
        after = await duty().reminders(session=session, at=local("2026-12-08T09:00"))
    assert [r for r in after if r.step == "escalate"] == []


# --- Submitting and hearing -------------------------------------------------------------------


async def test_resubmitting_before_the_digest_replaces_and_after_it_is_refused(
    sessions: Sessions, city: City
) -> None:
    first = await submit(
        sessions,
        city,
        key="grid_head",
        grid_key="虹桥镇网格",
        at=local("2026-12-20T10:00"),
        text="一",
    )
    second = await submit(
        sessions,
        city,
        key="grid_head",
        grid_key="虹桥镇网格",
        at=local("2026-12-26T10:00"),
        text="二",
    )
    assert (first.replaced, second.replaced) == (False, True)
    assert second.report_id == first.report_id
    assert not second.late
    with pytest.raises(reports.ReportError) as refused:
        await submit(
            sessions, city, key="grid_head", grid_key="虹桥镇网格", at=local("2026-12-28T09:00")
        )
    assert refused.value.problem == reports.ReportProblem.LOCKED
    async with sessions() as session:
        rows = (await session.exec(select(MonthlyReport))).all()
    assert [(r.activities, r.late) for r in rows] == [("二", False)]


async def test_a_report_after_the_digest_is_late_and_the_town_is_told(
    sessions: Sessions, city: City
) -> None:
    done = await submit(
        sessions, city, key="grid_head", grid_key="虹桥镇网格", at=local("2026-12-29T10:00")
    )
    assert done.late
    assert done.alerted == 2  # the town head and the deputy
    async with sessions() as session:
        alerts = (
            await session.exec(select(OutboxMessage).where(OutboxMessage.kind == "monthly_report"))
        ).all()
        status = await monthly_status(session=session, period="2026-12", town_ids=None)
    assert {m.person_id for m in alerts} == {city.id("town_head"), city.deputy.id}
    assert alerts[0].reply_markup == {
        "inline_keyboard": [
            [{"text": "查看 虹桥镇·工业网格1", "callback_data": f"mr:v:{done.report_id}"}]
        ]
    }
    hongqiao = next(t for t in status.towns if t.town_name == "虹桥镇")
    row = next(g for g in hongqiao.grids if g.grid_name == "虹桥镇·工业网格1")
    assert (row.submitted_by, row.late, row.submitted_at) == (
        "王网格长",
        True,
        local("2026-12-29T10:00"),
    )
    assert [g.grid_name for g in hongqiao.missing] == ["虹桥镇·工业网格2"]
    assert hongqiao.heard_by is None


async def test_only_the_towns_head_confirms_the_hearing_and_only_once(
    sessions: Sessions, city: City
) -> None:
    town = city.grid("虹桥镇")

    async def press(telegram_id: int, at: str) -> reports.Hearing:
        async with transaction(sessions) as session:
            viewer = await load_viewer(session=session, telegram_user_id=telegram_id)
            assert viewer is not None
            return await reports.confirm_hearing(
                session=session,
                viewer=viewer,
                town_id=town,
                period="2026-12",
                now=local(at),
                duty=duty(),
            )

    async with transaction(sessions) as session:
        session.add(TelegramBinding(person_id=city.id("other_town_head"), telegram_user_id=9200))
    assert (await press(9101, "2026-12-27T10:00")).outcome == reports.HearingOutcome.TOO_EARLY
    assert (await press(9200, "2026-12-28T10:00")).outcome == reports.HearingOutcome.FORBIDDEN
    assert (await press(9104, "2026-12-28T10:00")).outcome == reports.HearingOutcome.FORBIDDEN
    done = await press(9101, "2026-12-28T10:00")
    assert (done.outcome, done.town, done.by) == (
        reports.HearingOutcome.CONFIRMED,
        "虹桥镇",
        "虹桥镇长",
    )
    again = await press(9101, "2026-12-29T10:00")
    assert (again.outcome, again.at) == (reports.HearingOutcome.ALREADY, local("2026-12-28T10:00"))
    async with sessions() as session:
        status = await monthly_status(session=session, period="2026-12", town_ids=[town])
    assert [(t.town_name, t.heard_by, t.heard_at) for t in status.towns] == [
        ("虹桥镇", "虹桥镇长", local("2026-12-28T10:00"))
    ]


async def test_a_report_is_readable_by_the_town_not_by_another_town(
    sessions: Sessions, city: City
) -> None:
    done = await submit(
        sessions,
        city,
        key="grid_head",
        grid_key="虹桥镇网格",
        at=local("2026-12-20T10:00"),
        text="学习<统计法>",
    )
    async with transaction(sessions) as session:
        session.add(TelegramBinding(person_id=city.id("other_town_head"), telegram_user_id=9200))
    async with sessions() as session:
        readers = {}
        for telegram_id in (9101, 9104, 9102, 9200):
            viewer = await load_viewer(session=session, telegram_user_id=telegram_id)
            assert viewer is not None
            readers[telegram_id] = await reports.readable_report(
                session=session, viewer=viewer, report_id=done.report_id, tz=SHANGHAI
            )
    assert readers[9200] is None
    for telegram_id in (9101, 9104, 9102):  # town head, deputy, admin
        text = readers[telegram_id]
        assert text is not None
        assert "学习&lt;统计法&gt;" in text
        assert "王网格长，提交于 2026-12-20 10:00" in text


# --- Status and /todo -----------------------------------------------------------------------


async def test_status_per_town_and_grid(sessions: Sessions, city: City) -> None:
    await submit(
        sessions, city, key="grid_head", grid_key="虹桥镇网格", at=local("2026-12-20T10:00")
    )
    async with sessions() as session:
        status = await monthly_status(session=session, period="2026-12", town_ids=None)
    assert status.period == "2026-12"
    assert [
        (t.town_name, [(g.grid_name, g.heads, g.submitted_by, g.late) for g in t.grids])
        for t in status.towns
    ] == [
        ("柳市镇", [("柳市镇·工业网格1", (), None, False)]),
        (
            "虹桥镇",
            [
                ("虹桥镇·工业网格1", ("王网格长",), "王网格长", False),
                ("虹桥镇·工业网格2", ("赵网格长",), None, False),
            ],
        ),
    ]


async def test_todo_for_the_grid_head_and_the_town_head(sessions: Sessions, city: City) -> None:
    async def items(telegram_id: int, at: str) -> list[str]:
        async with sessions() as session:
            viewer = await load_viewer(session=session, telegram_user_id=telegram_id)
            assert viewer is not None
            found = await todo_items(
                session=session, viewer=viewer, now=local(at), config=load_duties(), tz=SHANGHAI
            )
        return [item.text for item in found]

    assert await items(9100, "2026-12-10T10:00") == [
        "提交虹桥镇·工业网格1 2026年12月网格情况汇报（截止 12月25日（周五））——发送 /report"
    ]
    assert await items(9100, "2026-12-26T10:00") == []  # past the deadline: nothing to do
    await submit(
        sessions, city, key="grid_head", grid_key="虹桥镇网格", at=local("2026-12-11T10:00")
    )
    assert await items(9100, "2026-12-12T10:00") == []
    # The town head: November's hearing is open from November's digest on.
    assert await items(9101, "2026-12-02T10:00") == [
        "听取虹桥镇2026年11月网格情况汇报，并在汇总消息下点「已听取汇报」确认"
    ]
    async with transaction(sessions) as session:
        session.add(
            ReportHearing(
                town_id=city.grid("虹桥镇"), period="2026-11", confirmed_by=city.id("town_head")
            )
        )
    assert await items(9101, "2026-12-02T10:00") == []
    assert len(await items(9101, "2026-12-28T10:00")) == 1  # December's digest is out


async def test_suggestions_from_activities_questions_and_notices(
    sessions: Sessions, city: City
) -> None:
    from tests.handlers.test_reports import seed_grid_life

    await seed_grid_life(sessions, city.small, starts=local("2026-12-08T14:00"))
    async with sessions() as session:
        activities, problems, help_needed, plan = await reports.suggestions(
            session=session,
            grid_id=city.grid("虹桥镇网格"),
            period="2026-12",
            now=local("2026-12-20T10:00"),
            tz=SHANGHAI,
        )
    assert activities == "12月8日 学习活动“统计法学习会”：签到 1 人，请假 1 人"
    assert problems is not None
    assert "网格员提问待回复 1 条：研发费用加计扣除怎么填报？" in problems
    assert "有未确认的通知：陈统计（1条）" in problems
    assert help_needed is None
    assert plan is None
