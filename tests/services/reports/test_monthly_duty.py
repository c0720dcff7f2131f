"""The monthly grid report duty on a real database with a chosen clock: when reminders fall
(moved off holidays and onto 调休 Saturdays), who is reminded, the digest, the hearing's
escalation."""

from datetime import UTC, date

from sqlmodel import col, select

from core.buttons import inline_keyboard_json
from models.db import transaction
from models.enums import ReminderStatus
from models.tables import (
    OutboxMessage,
    ReminderClaim,
    ReportHearing,
)
from services.duties import engine
from services.duties.config import MonthlyReportConfig
from services.onboarding import load_viewer
from services.reports import submission as reports
from services.reports.monthly_duty import schedule
from services.workdays import is_workday
from tests.services.reports.conftest import (
    NINE,
    SHANGHAI,
    City,
    Sessions,
    december,
    digest_sent,
    duty,
    local,
    submit,
)

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
    keyboard = inline_keyboard_json(head.buttons)
    assert keyboard == {
        "inline_keyboard": [
            [{"text": "查看 虹桥镇·工业网格1", "callback_data": f"mrv:{done.report_id}"}],
            [{"text": "已听取汇报", "callback_data": f"mr:h:{city.grid('虹桥镇')}:2026-12"}],
        ]
    }
    # The 分管负责人 reads the same digest without the hearing button.
    deputy = digests[city.deputy.id]
    assert inline_keyboard_json(deputy.buttons) == {
        "inline_keyboard": [keyboard["inline_keyboard"][0]]
    }
    assert "已听取汇报" not in str(inline_keyboard_json(deputy.buttons))
    other = digests[city.id("other_town_head")]
    assert "已提交 0/1" in other.text


async def test_escalation_when_the_hearing_is_not_confirmed_by_the_fifth_working_day(
    sessions: Sessions, city: City
) -> None:
    await digest_sent(
        sessions, town_id=city.grid("虹桥镇"), person_id=city.id("town_head"), period="2026-11"
    )
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
