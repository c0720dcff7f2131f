"""Activity rules on a real database: publishing and invitations, rotating codes and stale
codes (with a chosen `now`), links, the window, location radius, leave, reminders, /todo."""

import hashlib
import struct
import zlib
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models import activities as queries
from models.db import transaction
from models.enums import ActivityKind, AttendanceStatus, CheckinMethod, Role
from models.tables import (
    Activity,
    ActivityGrid,
    Assignment,
    Attendance,
    OutboxMessage,
    Person,
    ReminderClaim,
    TelegramBinding,
)
from services import activities as service
from services.access import Viewer
from services.activities import CheckinOutcome as Outcome
from services.onboarding import viewers_for
from tests.conftest import SmallCity

TZ = ZoneInfo("Asia/Shanghai")
PERIOD = 60
# A fixed moment: Thursday 3 December 2026, 14:10 in Shanghai.
NOW = datetime(2026, 12, 3, 6, 10, tzinfo=UTC)
HONGQIAO_LAT, HONGQIAO_LON = 28.1530, 120.9650


async def viewer_of(session: AsyncSession, city: SmallCity, key: str) -> Viewer:
    person = await session.get(Person, city.person_id(key))
    assert person is not None
    return (await viewers_for(session=session, persons=[person]))[city.person_id(key)]


async def bind_accounts(sessions: async_sessionmaker[AsyncSession], city: SmallCity) -> None:
    """Give every roster person a Telegram account (9000 + person id)."""
    async with transaction(sessions) as session:
        for key in city.people:
            person_id = city.person_id(key)
            session.add(TelegramBinding(person_id=person_id, telegram_user_id=9000 + person_id))


async def publish(
    sessions: async_sessionmaker[AsyncSession],
    city: SmallCity,
    *,
    starts: datetime,
    ends: datetime,
    now: datetime = NOW,
    organiser: str = "grid_head",
    grid: str = "虹桥镇网格",
    located: bool = False,
) -> Activity:
    async with transaction(sessions) as session:
        draft = service.ActivityDraft(
            kind=ActivityKind.STUDY,
            title="统计法学习",
            starts_at=starts,
            ends_at=ends,
            place="虹桥镇政府三楼会议室",
            latitude=HONGQIAO_LAT if located else None,
            longitude=HONGQIAO_LON if located else None,
            grid_ids=[city.grids[grid].id or 0],
        )
        published = await service.publish_activity(
            session=session,
            viewer=await viewer_of(session, city, organiser),
            draft=draft,
            now=now,
            tz=TZ,
        )
    return published.activity


def local(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


def ongoing(now: datetime = NOW) -> dict[str, datetime]:
    return {"starts": now - timedelta(minutes=10), "ends": now + timedelta(hours=1)}


# --- Pure rules ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("12月3日 14:00-16:00", local(2026, 12, 3, 14), local(2026, 12, 3, 16)),
        ("2026-12-03 14:00-16:00", local(2026, 12, 3, 14), local(2026, 12, 3, 16)),
        ("明天 9:30-11", local(2026, 12, 4, 9, 30), local(2026, 12, 4, 11)),
        ("12月5日 下午2点-4点半", local(2026, 12, 5, 14), local(2026, 12, 5, 16, 30)),
        (
            "１２月４日　１４：００～１５：００",
            local(2026, 12, 4, 14),
            local(2026, 12, 4, 15),
        ),
        # A date without a year that has passed this year is next year's.
        ("1月5日 9:00-10:00", local(2027, 1, 5, 9), local(2027, 1, 5, 10)),
        # Started ten minutes ago but still running: accepted.
        ("今天 14:00-16:00", local(2026, 12, 3, 14), local(2026, 12, 3, 16)),
    ],
)
def test_parse_window_reads_common_chinese_forms(text: str, start: datetime, end: datetime) -> None:
    starts, ends = service.parse_window(text, now=NOW, tz=TZ)
    assert starts == start.astimezone(UTC)
    assert ends == end.astimezone(UTC)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("下周找个时间", service.WindowProblem.FORMAT),
        ("12月3日", service.WindowProblem.FORMAT),
        ("13月40日 9:00-10:00", service.WindowProblem.FORMAT),
        ("明天 25:00-26:00", service.WindowProblem.FORMAT),
        ("明天 11:00-10:00", service.WindowProblem.ORDER),
        ("明天 10:00-10:00", service.WindowProblem.ORDER),
        ("2026-12-01 9:00-10:00", service.WindowProblem.PAST),
        ("今天 9:00-10:00", service.WindowProblem.PAST),
    ],
)
def test_parse_window_refuses_bad_input(text: str, problem: service.WindowProblem) -> None:
    with pytest.raises(service.WindowError) as raised:
        service.parse_window(text, now=NOW, tz=TZ)
    assert raised.value.problem == problem


def test_codes_rotate_and_are_six_digits() -> None:
    secret = service.new_code_secret()
    codes = [service.code_at(secret, step) for step in range(1000, 1010)]
    assert all(len(code) == 6 and code.isdigit() for code in codes)
    assert len(set(codes)) > 5
    assert service.code_at(secret, 1000) == codes[0]  # deterministic
    step = service.code_step(NOW, PERIOD)
    shown = service.current_code(
        Activity(
            kind=ActivityKind.STUDY,
            title="t",
            starts_at=NOW,
            ends_at=NOW,
            place="p",
            organiser_id=1,
            code_secret=secret,
            link_token_hash="x",
        ),
        now=NOW,
        period_s=PERIOD,
    )
    assert shown.code == service.code_at(secret, step)
    assert shown.valid_until == datetime.fromtimestamp((step + 2) * PERIOD, tz=UTC)


def test_link_token_is_derived_and_url_safe() -> None:
    secret = service.new_code_secret()
    token = service.link_token(secret)
    assert token == service.link_token(secret)
    assert service.LINK_TOKEN_PATTERN.fullmatch(token)
    assert token != service.link_token(service.new_code_secret())


def test_qr_png_is_a_valid_png() -> None:
    png = service.qr_png("https://t.me/gridbot_test_bot?start=ci_" + "A" * 32)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    length, kind = struct.unpack(">I4s", png[8:16])
    assert kind == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    assert width == height >= 21 * 8
    # Decompress the image data: one filter byte plus one byte per pixel on every row.
    idat_start = png.index(b"IDAT") + 4
    idat_length = struct.unpack(">I", png[idat_start - 8 : idat_start - 4])[0]
    raw = zlib.decompress(png[idat_start : idat_start + idat_length])
    assert len(raw) == height * (width + 1)
    assert length == 13


def test_distance_is_haversine() -> None:
    assert service.distance_m(28.0, 121.0, 28.0, 121.0) == 0
    one_degree = service.distance_m(28.0, 121.0, 29.0, 121.0)
    assert 111_000 < one_degree < 111_400


# --- Publishing ------------------------------------------------------------------------------


async def test_publish_stores_activity_and_invites_every_member_but_the_organiser(
    sessions: async_sessionmaker[AsyncSession], small_city: SmallCity
) -> None:
    await bind_accounts(sessions, small_city)
    activity = await publish(sessions, small_city, **ongoing())
    async with sessions() as session:
        stored = await session.get(Activity, activity.id)
        assert stored is not None
        assert (
            stored.link_token_hash
            == hashlib.sha256(service.link_token(stored.code_secret).encode()).hexdigest()
        )
        grids = (await session.exec(select(ActivityGrid))).all()
        assert [g.grid_id for g in grids] == [small_city.grids["虹桥镇网格"].id]
        messages = (
            await session.exec(select(OutboxMessage).order_by(col(OutboxMessage.person_id)))
        ).all()
    invited = {m.person_id for m in messages}
    assert invited == {small_city.person_id("member"), small_city.person_id("instructor")}
    assert all(m.ref == f"activity:{activity.id}" and m.kind == "activity" for m in messages)
    assert all("统计法学习" in m.text and "/checkin" in m.text for m in messages)
    assert len({m.dedupe_key for m in messages}) == 2


async def test_publish_refuses_grids_outside_the_organisers_and_past_windows(
    sessions: async_sessionmaker[AsyncSession], small_city: SmallCity
) -> None:
    with pytest.raises(service.PublishError) as raised:
        await publish(sessions, small_city, grid="柳市镇网格", **ongoing())
    assert raised.value.problem == service.PublishProblem.GRIDS
    with pytest.raises(service.PublishError) as raised:
        await publish(
            sessions, small_city, starts=NOW - timedelta(hours=2), ends=NOW - timedelta(hours=1)
        )
    assert raised.value.problem == service.PublishProblem.PAST
    with pytest.raises(service.PublishError):
        # A town head organises nothing.
        await publish(sessions, small_city, organiser="town_head", **ongoing())
    async with sessions() as session:
        assert (await session.exec(select(Activity))).all() == []
        assert (await session.exec(select(OutboxMessage))).all() == []


# --- Check-in --------------------------------------------------------------------------------


async def code_check_in(
    sessions: async_sessionmaker[AsyncSession],
    city: SmallCity,
    key: str,
    code: str,
    now: datetime = NOW,
) -> service.CheckinResult:
    async with transaction(sessions) as session:
        return await service.check_in_by_code(
            session=session, person_id=city.person_id(key), code=code, now=now, period_s=PERIOD
        )


async def test_code_is_accepted_for_two_periods_then_stale(
    sessions: async_sessionmaker[AsyncSession], small_city: SmallCity
) -> None:
    activity = await publish(sessions, small_city, **ongoing())
    code = service.current_code(activity, now=NOW, period_s=PERIOD).code
    # Forwarded: someone else uses it one period later (still valid), then two periods later.
    later = NOW + timedelta(seconds=PERIOD)
    first = await code_check_in(sessions, small_city, "instructor", code, later)
    assert first.outcome == Outcome.CHECKED_IN
    stale = await code_check_in(
        sessions, small_city, "member", code, NOW + timedelta(seconds=2 * PERIOD)
    )
    assert stale.outcome == Outcome.STALE_CODE
    wrong = "000000" if code != "000000" else "111111"
    assert (await code_check_in(sessions, small_city, "member", wrong)).outcome in (
        Outcome.WRONG_CODE,
        Outcome.STALE_CODE,
    )
    assert (await code_check_in(sessions, small_city, "member", "12ab")).outcome == (
        Outcome.WRONG_CODE
    )


async def test_check_in_once_then_already(
    sessions: async_sessionmaker[AsyncSession], small_city: SmallCity
) -> None:
    activity = await publish(sessions, small_city, **ongoing())
    code = service.current_code(activity, now=NOW, period_s=PERIOD).code
    done = await code_check_in(sessions, small_city, "member", code)
    assert done.outcome == Outcome.CHECKED_IN
    assert done.at == NOW
    again = await code_check_in(sessions, small_city, "member", code, NOW + timedelta(seconds=5))
    assert again.outcome == Outcome.ALREADY
    assert again.at == NOW
    async with sessions() as session:
        rows = (await session.exec(select(Attendance))).all()
    assert [(r.person_id, r.status, r.method) for r in rows] == [
        (small_city.person_id("member"), AttendanceStatus.CHECKED_IN, CheckinMethod.CODE)
    ]


async def test_window_opens_thirty_minutes_early_and_closes_at_the_end(
    sessions: async_sessionmaker[AsyncSession], small_city: SmallCity
) -> None:
    starts = NOW + timedelta(hours=1)
    activity = await publish(sessions, small_city, starts=starts, ends=starts + timedelta(hours=2))

    async def attempt(key: str, when: datetime) -> Outcome:
        code = service.current_code(activity, now=when, period_s=PERIOD).code
        return (await code_check_in(sessions, small_city, key, code, when)).outcome

    assert await attempt("member", starts - timedelta(minutes=31)) == Outcome.NOT_OPEN
    assert await attempt("member", starts - timedelta(minutes=29)) == Outcome.CHECKED_IN
    after = activity.ends_at + timedelta(minutes=1)
    assert await attempt("instructor", after) == Outcome.ENDED


async def test_outsiders_organiser_and_cancelled_activities_are_refused(
    sessions: async_sessionmaker[AsyncSession], small_city: SmallCity
) -> None:
    activity = await publish(sessions, small_city, **ongoing())
    code = service.current_code(activity, now=NOW, period_s=PERIOD).code
    assert (await code_check_in(sessions, small_city, "other_member", code)).outcome == (
        Outcome.NOT_MEMBER
    )
    assert (await code_check_in(sessions, small_city, "grid_head", code)).outcome == (
        Outcome.ORGANISER
    )
    async with transaction(sessions) as session:
        stored = await session.get(Activity, activity.id)
        assert stored is not None
        stored.cancelled_at = NOW
        session.add(stored)
    assert (await code_check_in(sessions, small_city, "member", code)).outcome == (
        Outcome.CANCELLED
    )


async def test_link_check_in_and_location_radius(
    sessions: async_sessionmaker[AsyncSession], small_city: SmallCity
) -> None:
    activity = await publish(sessions, small_city, located=True, **ongoing())
    assert activity.id is not None
    token = service.link_token(activity.code_secret)
    async with transaction(sessions) as session:
        unknown = await service.check_in_by_link(
            session=session, person_id=small_city.person_id("member"), token="x" * 32, now=NOW
        )
        asked = await service.check_in_by_link(
            session=session, person_id=small_city.person_id("member"), token=token, now=NOW
        )
    assert unknown.outcome == Outcome.UNKNOWN_LINK
    assert asked.outcome == Outcome.NEED_LOCATION

    async def at(latitude: float) -> service.CheckinResult:
        async with transaction(sessions) as session:
            return await service.check_in_at_location(
                session=session,
                person_id=small_city.person_id("member"),
                activity_id=activity.id or 0,
                method=CheckinMethod.LINK,
                latitude=latitude,
                longitude=HONGQIAO_LON,
                now=NOW,
                default_radius_m=500,
            )

    far = await at(HONGQIAO_LAT + 0.01)  # about 1.1 km north
    assert far.outcome == Outcome.TOO_FAR
    assert far.distance_m is not None
    assert 1_000 < far.distance_m < 1_200
    assert far.radius_m == 500
    near = await at(HONGQIAO_LAT + 0.002)  # about 220 m
    assert near.outcome == Outcome.CHECKED_IN
    async with sessions() as session:
        row = await queries.attendance_of(
            session=session, activity_id=activity.id, person_id=small_city.person_id("member")
        )
    assert row is not None
    assert row.method == CheckinMethod.LINK


# --- The organiser's side ----------------------------------------------------------------------


async def test_panel_leave_and_late_arrival(
    sessions: async_sessionmaker[AsyncSession], small_city: SmallCity
) -> None:
    activity = await publish(sessions, small_city, **ongoing())
    assert activity.id is not None
    async with transaction(sessions) as session:
        head = await viewer_of(session, small_city, "grid_head")
        recorded = await service.record_leave(
            session=session,
            viewer=head,
            activity_id=activity.id,
            person_id=small_city.person_id("member"),
            reason="出差",
            now=NOW,
        )
        outsider = await service.record_leave(
            session=session,
            viewer=head,
            activity_id=activity.id,
            person_id=small_city.person_id("other_member"),
            reason="x",
            now=NOW,
        )
    assert recorded.outcome == service.LeaveOutcome.RECORDED
    assert outsider.outcome == service.LeaveOutcome.NOT_MEMBER
    async with sessions() as session:
        head = await viewer_of(session, small_city, "grid_head")
        panel = await service.panel(
            session=session, viewer=head, activity_id=activity.id, now=NOW, period_s=PERIOD
        )
        other = await viewer_of(session, small_city, "other_town_head")
        assert (
            await service.panel(
                session=session, viewer=other, activity_id=activity.id, now=NOW, period_s=PERIOD
            )
            is None
        )
    assert panel is not None
    assert [(line.name, line.status, line.reason) for line in panel.lines] == [
        ("陈统计", AttendanceStatus.LEAVE, "出差"),
        ("李指导员", None, None),
    ]
    assert panel.code is not None
    # The member came after all: the leave becomes a check-in.
    code = panel.code.code
    late = await code_check_in(sessions, small_city, "member", code)
    assert late.outcome == Outcome.CHECKED_IN
    async with transaction(sessions) as session:
        again = await service.record_leave(
            session=session,
            viewer=await viewer_of(session, small_city, "grid_head"),
            activity_id=activity.id,
            person_id=small_city.person_id("member"),
            reason="出差",
            now=NOW,
        )
    assert again.outcome == service.LeaveOutcome.CHECKED_IN


async def test_staff_of_the_grid_may_manage_but_not_others(
    sessions: async_sessionmaker[AsyncSession], small_city: SmallCity
) -> None:
    activity = await publish(sessions, small_city, **ongoing())
    assert activity.id is not None
    async with sessions() as session:
        for key, allowed in (("instructor", True), ("member", False), ("town_head", False)):
            viewer = await viewer_of(session, small_city, key)
            found = await service.managed_activity(
                session=session, viewer=viewer, activity_id=activity.id
            )
            assert (found is not None) == allowed, key
        viewer = await viewer_of(session, small_city, "grid_head")
        assert (
            await service.managed_activity(session=session, viewer=viewer, activity_id=999) is None
        )


async def test_absentees_are_reminded_once_after_the_end(
    sessions: async_sessionmaker[AsyncSession], small_city: SmallCity
) -> None:
    await bind_accounts(sessions, small_city)
    activity = await publish(sessions, small_city, **ongoing())
    assert activity.id is not None
    code = service.current_code(activity, now=NOW, period_s=PERIOD).code
    await code_check_in(sessions, small_city, "instructor", code)

    async def remind(when: datetime) -> service.RemindResult:
        async with transaction(sessions) as session:
            return await service.remind_absentees(
                session=session,
                viewer=await viewer_of(session, small_city, "grid_head"),
                activity_id=activity.id or 0,
                now=when,
                tz=TZ,
            )

    assert (await remind(NOW)).outcome == service.RemindOutcome.NOT_ENDED
    after = activity.ends_at + timedelta(minutes=5)
    first = await remind(after)
    assert (first.outcome, first.absent, first.queued) == (service.RemindOutcome.QUEUED, 1, 1)
    assert (await remind(after + timedelta(minutes=1))).outcome == service.RemindOutcome.ALREADY
    async with sessions() as session:
        reminders = (
            await session.exec(
                select(OutboxMessage).where(col(OutboxMessage.text).contains("未签到"))
            )
        ).all()
        claims = (await session.exec(select(ReminderClaim))).all()
    assert [m.person_id for m in reminders] == [small_city.person_id("member")]
    assert [(c.duty, c.target) for c in claims] == [("activity_absent", f"activity:{activity.id}")]


async def test_todo_items_for_member_and_organiser(
    sessions: async_sessionmaker[AsyncSession], small_city: SmallCity
) -> None:
    today = await publish(sessions, small_city, **ongoing())
    next_week = await publish(
        sessions, small_city, starts=NOW + timedelta(days=6), ends=NOW + timedelta(days=6, hours=1)
    )
    await publish(
        sessions, small_city, starts=NOW + timedelta(days=9), ends=NOW + timedelta(days=9, hours=1)
    )
    async with sessions() as session:
        member = await viewer_of(session, small_city, "member")
        items = await service.todo_items(session=session, viewer=member, now=NOW, tz=TZ)
        assert [item.when for item in items] == [today.starts_at, next_week.starts_at]
        assert all(item.section == "活动" for item in items)
        assert "正在签到" in items[0].text
        assert "待参加" in items[1].text
        head = await viewer_of(session, small_city, "grid_head")
        organised = await service.todo_items(session=session, viewer=head, now=NOW, tz=TZ)
        assert [item.when for item in organised] == [today.starts_at]
        assert "今天组织" in organised[0].text
        outsider = await viewer_of(session, small_city, "other_member")
        assert await service.todo_items(session=session, viewer=outsider, now=NOW, tz=TZ) == []
    code = service.current_code(today, now=NOW, period_s=PERIOD).code
    await code_check_in(sessions, small_city, "member", code)
    async with sessions() as session:
        member = await viewer_of(session, small_city, "member")
        items = await service.todo_items(session=session, viewer=member, now=NOW, tz=TZ)
    assert [item.when for item in items] == [next_week.starts_at]


async def test_deputy_head_of_grid_is_invited_and_may_manage(
    sessions: async_sessionmaker[AsyncSession], small_city: SmallCity
) -> None:
    async with transaction(sessions) as session:
        deputy = Person(name="赵副网格长", mobile="13900000009")
        session.add(deputy)
        await session.flush()
        assert deputy.id is not None
        session.add(
            Assignment(
                person_id=deputy.id,
                grid_id=small_city.grids["虹桥镇网格"].id or 0,
                role=Role.GRID_DEPUTY,
            )
        )
    activity = await publish(sessions, small_city, **ongoing())
    assert activity.id is not None
    async with sessions() as session:
        members = await service.invitees(
            session=session, activity=activity, grid_ids=[small_city.grids["虹桥镇网格"].id or 0]
        )
        assert sorted(p.name for p in members) == ["李指导员", "赵副网格长", "陈统计"]
        viewer = (await viewers_for(session=session, persons=[deputy]))[deputy.id]
        assert await service.managed_activity(
            session=session, viewer=viewer, activity_id=activity.id
        )
