"""Check-in rules on a real database: rotating and stale codes (with a chosen `now`), links,
the window, the location radius."""

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from models import activities as queries
from models.db import transaction
from models.enums import AttendanceStatus, CheckinMethod
from models.tables import Activity, Attendance
from services.activities.checkin import CheckinOutcome as Outcome
from services.activities.checkin import (
    CheckinResult,
    check_in_at_location,
    check_in_by_link,
    distance_m,
)
from services.activities.codes import current_code, link_token
from tests.conftest import SmallCity
from tests.services.activities.support import (
    HONGQIAO_LAT,
    HONGQIAO_LON,
    NOW,
    PERIOD,
    code_check_in,
    ongoing,
    publish,
)


def test_distance_is_haversine() -> None:
    assert distance_m(28.0, 121.0, 28.0, 121.0) == 0
    one_degree = distance_m(28.0, 121.0, 29.0, 121.0)
    assert 111_000 < one_degree < 111_400


async def test_code_is_accepted_for_two_periods_then_stale(
    sessions: async_sessionmaker[AsyncSession], small_city: SmallCity
) -> None:
    activity = await publish(sessions, small_city, **ongoing())
    code = current_code(activity, now=NOW, period_s=PERIOD).code
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
    code = current_code(activity, now=NOW, period_s=PERIOD).code
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
        code = current_code(activity, now=when, period_s=PERIOD).code
        return (await code_check_in(sessions, small_city, key, code, when)).outcome

    assert await attempt("member", starts - timedelta(minutes=31)) == Outcome.NOT_OPEN
    assert await attempt("member", starts - timedelta(minutes=29)) == Outcome.CHECKED_IN
    after = activity.ends_at + timedelta(minutes=1)
    assert await attempt("instructor", after) == Outcome.ENDED


async def test_outsiders_organiser_and_cancelled_activities_are_refused(
    sessions: async_sessionmaker[AsyncSession], small_city: SmallCity
) -> None:
    activity = await publish(sessions, small_city, **ongoing())
    code = current_code(activity, now=NOW, period_s=PERIOD).code
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
    token = link_token(activity.code_secret)
    async with transaction(sessions) as session:
        unknown = await check_in_by_link(
            session=session, person_id=small_city.person_id("member"), token="x" * 32, now=NOW
        )
        asked = await check_in_by_link(
            session=session, person_id=small_city.person_id("member"), token=token, now=NOW
        )
    assert unknown.outcome == Outcome.UNKNOWN_LINK
    assert asked.outcome == Outcome.NEED_LOCATION

    async def at(latitude: float) -> CheckinResult:
        async with transaction(sessions) as session:
            return await check_in_at_location(
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


async def test_a_code_in_another_script_or_spaced_out_checks_in(
    sessions: async_sessionmaker[AsyncSession], small_city: SmallCity
) -> None:
    activity = await publish(sessions, small_city, **ongoing())
    code = current_code(activity, now=NOW, period_s=PERIOD).code
    # Arabic-Indic digits passed the old `\d` check, then hmac.compare_digest raised TypeError.
    arabic = code.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    done = await code_check_in(sessions, small_city, "member", arabic)
    assert done.outcome == Outcome.CHECKED_IN
    full_width = code.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    spaced = f" {full_width[:3]}\u3000{full_width[3:]} "
    again = await code_check_in(sessions, small_city, "member", spaced)
    assert again.outcome == Outcome.ALREADY


async def test_a_link_token_changed_in_one_character_is_unknown(
    sessions: async_sessionmaker[AsyncSession], small_city: SmallCity
) -> None:
    activity = await publish(sessions, small_city, **ongoing())
    token = link_token(activity.code_secret)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    mutations = {
        token[:i] + replacement + token[i + 1 :]
        for i, char in enumerate(token)
        for replacement in (alphabet[(alphabet.index(char) + 1) % len(alphabet)], "", "é")
    } | {token + "A", token.upper(), token.lower(), f" {token}"}
    mutations.discard(token)
    async with transaction(sessions) as session:
        for mutated in sorted(mutations):
            result = await check_in_by_link(
                session=session, person_id=small_city.person_id("member"), token=mutated, now=NOW
            )
            assert result.outcome == Outcome.UNKNOWN_LINK, mutated
        done = await check_in_by_link(
            session=session, person_id=small_city.person_id("member"), token=token, now=NOW
        )
    assert done.outcome == Outcome.CHECKED_IN
