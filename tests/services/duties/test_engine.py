"""The reminder engine on a real database: claim before queue, once only across restarts and
concurrent engines, catch-up that skips what expired, quiet hours, and the working-day helpers
reminders are moved with."""

import asyncio
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.settings import load_settings
from models import duties as claims
from models.db import create_engine, session_factory, transaction
from models.enums import OutboxStatus, ReminderStatus
from models.tables import OutboxMessage, Person, ReminderClaim, TelegramBinding
from services.duties import engine
from services.duties.base import Reminder
from services.duties.config import DutiesConfig
from services.duty_registry import build_duties
from services.outbox.quiet_hours import QuietHours
from services.workdays import (
    add_working_hours,
    is_workday,
    workday_on_or_before,
    working_hours_between,
)
from tests.conftest import TZ, SmallCity

Sessions = async_sessionmaker[AsyncSession]
SHANGHAI = ZoneInfo("Asia/Shanghai")
MEMBER_CHAT = 7101


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


class DeadlineDuty:
    """A monthly-report-like duty: remind every person in `person_ids` at 09:00 on the days
    given, until the deadline; the reminders move off weekends and holidays."""

    name = "test_deadline"

    def __init__(self, person_ids: Sequence[int], *, days: Sequence[date], deadline: datetime):
        self.person_ids = person_ids
        self.days = days
        self.deadline = deadline

    async def reminders(self, *, session: AsyncSession, at: datetime) -> Sequence[Reminder]:
        del session
        found = []
        for day in self.days:
            due = datetime.combine(workday_on_or_before(day), time(9), tzinfo=SHANGHAI)
            if due > at:
                continue
            found += [
                Reminder(
                    duty=self.name,
                    target=f"person:{pid}",
                    period="2026-12",
                    step=f"d{day.day}",
                    person_id=pid,
                    text=f"请在 {self.deadline:%m-%d} 前提交 &lt;月报&gt;",
                    due_at=due,
                    deadline=self.deadline,
                    ref="test:1",
                )
                for pid in self.person_ids
            ]
        return found


@pytest.fixture
async def city(sessions: Sessions, small_city: SmallCity) -> SmallCity:
    """The small city with only the member bound."""
    async with transaction(sessions) as session:
        session.add(
            TelegramBinding(person_id=small_city.person_id("member"), telegram_user_id=MEMBER_CHAT)
        )
    return small_city


def december(city: SmallCity, *keys: str) -> DeadlineDuty:
    # The 20th of December 2026 is a Sunday: its reminder goes out on Friday the 18th.
    return DeadlineDuty(
        [city.person_id(k) for k in keys or ("member",)],
        days=[date(2026, 12, 20), date(2026, 12, 24)],
        deadline=local("2026-12-25T23:59"),
    )


async def outbox_rows(sessions: Sessions) -> list[OutboxMessage]:
    async with sessions() as session:
        return list(
            (await session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id)))).all()
        )


async def all_claims(sessions: Sessions) -> list[ReminderClaim]:
    async with sessions() as session:
        return await claims.claims_of(session=session)


async def test_the_first_reminder_is_claimed_and_queued(
    sessions: Sessions, city: SmallCity
) -> None:
    duty = december(city)
    assert (
        await engine.run_due(sessions=sessions, duties=[duty], now=local("2026-12-18T08:59"))
    ).queued == []
    report = await engine.run_due(sessions=sessions, duties=[duty], now=local("2026-12-18T09:00"))
    assert [r.step for r in report.queued] == ["d20"]
    [message] = await outbox_rows(sessions)
    assert message.chat_id == MEMBER_CHAT
    assert message.kind == engine.REMINDER_KIND
    assert (
        message.dedupe_key
        == f"reminder:test_deadline:person:{city.person_id('member')}:2026-12:d20"
    )
    assert message.ref == "test:1"
    assert "&lt;月报&gt;" in message.text
    [claim] = await all_claims(sessions)
    assert (claim.step, claim.status, claim.note) == ("d20", ReminderStatus.QUEUED, None)


async def test_a_big_run_refreshes_the_claims_statistics_on_postgresql(
    sessions: Sessions, city: SmallCity, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite plans the claims' lookups without statistics")
    monkeypatch.setattr(engine, "ANALYZE_AFTER_CLAIMS", 2)
    report = await engine.run_due(
        sessions=sessions, duties=[december(city)], now=local("2026-12-24T09:00")
    )
    assert len(report.queued) == 2
    async with sessions() as session:
        connection = await session.connection()
        estimated = (
            await connection.exec_driver_sql(
                "SELECT reltuples FROM pg_class WHERE relname = 'reminder_claim'"
            )
        ).scalar_one()
    # ANALYZE of a table this small counts every row.
    assert estimated == 2


async def test_a_restart_across_the_fire_time_sends_once(
    sessions: Sessions, city: SmallCity
) -> None:
    # Process 1 runs at 08:55 and dies; process 2 starts at 09:20 (its catch-up run) and
    # ticks again at 09:25; a third instance with its own duty objects comes up at noon.
    fire = local("2026-12-24T09:00")
    for minutes in (-5, 20, 25):
        await engine.run_due(
            sessions=sessions, duties=[december(city)], now=fire + timedelta(minutes=minutes)
        )
    again = await engine.run_due(
        sessions=sessions, duties=[december(city)], now=local("2026-12-24T12:00")
    )
    assert again.queued == []
    assert again.already == 0
    steps = [c.step for c in await all_claims(sessions)]
    assert steps == ["d20", "d24"]
    assert len(await outbox_rows(sessions)) == 2


async def test_settle_counts_a_claim_taken_meanwhile(sessions: Sessions, city: SmallCity) -> None:
    # Computed by two engines before either claimed: the second finds the claim and sends nothing.
    at = local("2026-12-18T09:00")
    async with sessions() as session:
        due = await engine.pending(session=session, duty=december(city), at=at)
    for _ in range(2):
        async with transaction(sessions) as session:
            report = await engine.settle(session=session, reminders=due, now=at)
    assert (len(report.queued), report.already) == (0, 1)
    assert len(await outbox_rows(sessions)) == 1


async def test_two_engines_on_one_postgresql_send_once(
    engine: AsyncEngine, database_url: str, small_city: SmallCity
) -> None:
    del small_city  # a populated database, like production
    if engine.dialect.name != "postgresql":
        pytest.skip("two processes share a database only on PostgreSQL")
    # Two processes: two engines (connection pools) on one database, ticking at the same moment,
    # with many reminders so that their transactions interleave.
    others = await add_people(session_factory(engine), 300)
    second = create_engine(database_url, tz=TZ)
    try:
        pools = [session_factory(engine), session_factory(second)]
        at = local("2026-12-24T09:00")
        deadline = at + timedelta(days=1)
        reports = await asyncio.gather(
            *(
                engine_run(pool, DeadlineDuty(others, days=[at.date()], deadline=deadline), at)
                for pool in pools
            )
        )
    finally:
        await second.dispose()
    # Each reminder went out through exactly one of them; the other found it claimed.
    assert sum(len(r.queued) for r in reports) == 300
    assert all(r.failed == [] for r in reports)
    assert len(await all_claims(session_factory(engine))) == 300
    rows = await outbox_rows(session_factory(engine))
    assert len(rows) == 300
    assert len({r.chat_id for r in rows}) == 300


async def engine_run(pool: Sessions, duty: DeadlineDuty, at: datetime) -> engine.EngineReport:
    return await engine.run_due(sessions=pool, duties=[duty], now=at, batch_size=10)


async def add_people(sessions: Sessions, count: int) -> list[int]:
    async with transaction(sessions) as session:
        people = [Person(name=f"人员{i}", mobile=f"137{i:08d}") for i in range(count)]
        session.add_all(people)
        await session.flush()
        for i, person in enumerate(people):
            assert person.id is not None
            session.add(TelegramBinding(person_id=person.id, telegram_user_id=900_000 + i))
        return [p.id for p in people if p.id is not None]


async def test_catch_up_skips_what_expired_and_sends_what_is_still_meaningful(
    sessions: Sessions, city: SmallCity
) -> None:
    # Down from the 17th to the morning of the 26th: the deadline (25th) has passed.
    report = await engine.run_due(
        sessions=sessions, duties=[december(city)], now=local("2026-12-26T08:10")
    )
    assert report.queued == []
    assert [(r.step, note) for r, note in report.skipped] == [
        ("d20", engine.NOTE_EXPIRED),
        ("d24", engine.NOTE_EXPIRED),
    ]
    assert [(c.status, c.note) for c in await all_claims(sessions)] == [
        (ReminderStatus.SKIPPED, "过期未发")
    ] * 2
    assert await outbox_rows(sessions) == []


async def test_catch_up_before_the_deadline_sends_both_reminders(
    sessions: Sessions, city: SmallCity
) -> None:
    report = await engine.run_due(
        sessions=sessions, duties=[december(city)], now=local("2026-12-25T10:00")
    )
    assert [r.step for r in report.queued] == ["d20", "d24"]


async def test_unbound_and_blocked_recipients_are_claimed_as_skipped(
    sessions: Sessions, city: SmallCity
) -> None:
    async with transaction(sessions) as session:
        session.add(TelegramBinding(person_id=city.person_id("grid_head"), telegram_user_id=7102))
        head = await session.get(Person, city.person_id("grid_head"))
        assert head is not None
        head.unreachable_at = datetime(2026, 12, 1, tzinfo=UTC)
    duty = DeadlineDuty(
        [city.person_id(k) for k in ("member", "instructor", "grid_head")],
        days=[date(2026, 12, 24)],
        deadline=local("2026-12-25T23:59"),
    )
    report = await engine.run_due(sessions=sessions, duties=[duty], now=local("2026-12-24T09:00"))
    assert [r.person_id for r in report.queued] == [city.person_id("member")]
    assert {(r.person_id, note) for r, note in report.skipped} == {
        (city.person_id("instructor"), "未绑定 Telegram"),
        (city.person_id("grid_head"), "已屏蔽机器人"),
    }
    assert [m.chat_id for m in await outbox_rows(sessions)] == [MEMBER_CHAT]


async def test_one_failing_duty_does_not_stop_the_others(
    sessions: Sessions, city: SmallCity
) -> None:
    class Broken:
        name = "broken"

        async def reminders(self, *, session: AsyncSession, at: datetime) -> Sequence[Reminder]:
            raise RuntimeError(f"bad data at {at} in {session}")

    report = await engine.run_due(
        sessions=sessions, duties=[Broken(), december(city)], now=local("2026-12-24T09:00")
    )
    assert report.failed == ["broken"]
    assert len(report.queued) == 2


async def test_a_reminder_that_cannot_be_queued_holds_back_only_itself(
    sessions: Sessions, city: SmallCity
) -> None:
    class Mixed(DeadlineDuty):
        async def reminders(self, *, session: AsyncSession, at: datetime) -> Sequence[Reminder]:
            found = list(await super().reminders(session=session, at=at))
            # An empty text cannot be sent: the outbox refuses it.
            return [found[0], found[1]._replace(text="<b></b>")]

    duty = Mixed(
        [city.person_id("member"), city.person_id("other_member")],
        days=[date(2026, 12, 24)],
        deadline=local("2026-12-25T23:59"),
    )
    async with transaction(sessions) as session:
        session.add(
            TelegramBinding(person_id=city.person_id("other_member"), telegram_user_id=7103)
        )
    report = await engine.run_due(sessions=sessions, duties=[duty], now=local("2026-12-24T09:00"))
    assert len(report.queued) == 1
    assert len(report.failed) == 1
    # The bad one stays unclaimed: a fixed duty sends it on a later tick.
    assert [c.target for c in await all_claims(sessions)] == [f"person:{city.person_id('member')}"]


async def test_preview_shows_what_is_due_and_writes_nothing(
    sessions: Sessions, city: SmallCity
) -> None:
    duty = december(city, "member", "instructor")
    await engine.run_due(sessions=sessions, duties=[duty], now=local("2026-12-18T09:00"))
    before = len(await all_claims(sessions))
    async with sessions() as session:
        shown = await engine.preview(session=session, duties=[duty], at=local("2026-12-24T09:00"))
    # The 18th's reminders were claimed; only the 24th's are still to come.
    assert sorted((r.step, r.person_id) for r in shown) == sorted(
        [("d24", city.person_id("member")), ("d24", city.person_id("instructor"))]
    )
    assert len(await all_claims(sessions)) == before


async def test_the_registry_builds_the_sla_duties() -> None:
    names = [
        d.name
        for d in build_duties(config=DutiesConfig(), settings=load_settings(), knowledge=None)
    ]
    assert {"question_sla", "notice_unread"} <= set(names)


# --- Quiet hours ---------------------------------------------------------------------------


QUIET = QuietHours(start=time(21), end=time(8), tz=SHANGHAI)


@pytest.mark.parametrize(
    ("moment", "resumes"),
    [
        ("2026-12-24T22:30", "2026-12-25T08:00"),
        ("2026-12-24T21:00", "2026-12-25T08:00"),
        ("2026-12-25T00:10", "2026-12-25T08:00"),
        ("2026-12-25T07:59", "2026-12-25T08:00"),
        ("2026-12-25T08:00", None),
        ("2026-12-24T20:59", None),
        ("2026-12-24T12:00", None),
    ],
)
def test_quiet_hours_across_midnight(moment: str, resumes: str | None) -> None:
    expected = None if resumes is None else local(resumes).astimezone(UTC)
    assert QUIET.resumes_at(local(moment).astimezone(UTC)) == expected


def test_quiet_hours_within_a_day_and_switched_off() -> None:
    lunch = QuietHours(start=time(12), end=time(13, 30), tz=SHANGHAI)
    assert lunch.resumes_at(local("2026-12-24T12:15")) == local("2026-12-24T13:30")
    assert lunch.resumes_at(local("2026-12-24T13:30")) is None
    off = QuietHours(start=time(0), end=time(0), tz=SHANGHAI)
    assert off.resumes_at(local("2026-12-24T03:00")) is None


# --- Working days ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "moved"),
    [
        (date(2026, 12, 24), date(2026, 12, 24)),  # a Thursday stays
        (date(2026, 12, 20), date(2026, 12, 18)),  # Sunday -> Friday
        (date(2025, 10, 3), date(2025, 9, 30)),  # 国庆 -> the last working day before it
        (date(2025, 9, 28), date(2025, 9, 28)),  # a 调休 Sunday is a working day
        (date(2025, 10, 12), date(2025, 10, 11)),  # Sunday after 国庆 -> the 调休 Saturday
    ],
)
def test_a_reminder_day_moves_to_the_previous_working_day(day: date, moved: date) -> None:
    assert workday_on_or_before(day) == moved
    assert is_workday(moved)


def test_adding_working_hours_inverts_counting_them() -> None:
    # Filed on the last working day before 国庆 2025: the holiday's eight days do not count.
    start = local("2025-09-30T10:00")
    reached = add_working_hours(start, 24, SHANGHAI)
    assert reached == local("2025-10-09T10:00").astimezone(UTC)
    assert working_hours_between(start, reached, SHANGHAI) == pytest.approx(24)
    assert add_working_hours(start, 0, SHANGHAI) == start


async def test_time_machine_drives_a_run_at_the_wall_clock(
    sessions: Sessions, city: SmallCity
) -> None:
    # The clock's job passes datetime.now(UTC); moved by time_machine it fires as on that day.
    with time_machine.travel(local("2026-12-18T09:30"), tick=False):
        report = await engine.run_due(
            sessions=sessions, duties=[december(city)], now=datetime.now(UTC)
        )
    assert [r.step for r in report.queued] == ["d20"]
    rows = await outbox_rows(sessions)
    assert [r.status for r in rows] == [OutboxStatus.PENDING]
