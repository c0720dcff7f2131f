"""Check-in rules: who may check in when, by code, by link and at the activity's location.

Check-in opens `CHECKIN_OPENS_BEFORE` (30 minutes) before the start, so people arriving early
can check in at the door, and closes at the end of the window.
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlmodel.ext.asyncio.session import AsyncSession

from models import activities as queries
from models.enums import AttendanceStatus, CheckinMethod
from models.tables import Activity, Attendance
from services.activities.code_index import find_code
from services.activities.codes import LINK_TOKEN_PATTERN, code_step, parse_code
from services.activities.members import activity_grid_ids, person_grid_ids
from services.limits import CheckinLimits, forget_checkin_slots, take
from services.onboarding import hash_token

CHECKIN_OPENS_BEFORE = timedelta(minutes=30)


class CheckinOutcome(StrEnum):
    CHECKED_IN = "checked_in"
    ALREADY = "already"
    NEED_LOCATION = "need_location"
    TOO_FAR = "too_far"
    NOT_MEMBER = "not_member"
    ORGANISER = "organiser"
    NOT_OPEN = "not_open"
    ENDED = "ended"
    CANCELLED = "cancelled"
    WRONG_CODE = "wrong_code"
    STALE_CODE = "stale_code"
    UNKNOWN_LINK = "unknown_link"
    # Too many codes tried (for this activity, or for all): not even checked; see retry_at.
    LIMITED = "limited"


@dataclass(frozen=True)
class CheckinResult:
    outcome: CheckinOutcome
    activity: Activity | None = None
    # The check-in's time (new or earlier).
    at: datetime | None = None
    distance_m: float | None = None
    radius_m: int | None = None
    # LIMITED: when the person may try a code again.
    retry_at: datetime | None = None


def opens_at(activity: Activity) -> datetime:
    return activity.starts_at - CHECKIN_OPENS_BEFORE


def is_open(activity: Activity, now: datetime) -> bool:
    return activity.cancelled_at is None and opens_at(activity) <= now <= activity.ends_at


def has_location(activity: Activity) -> bool:
    return activity.latitude is not None and activity.longitude is not None


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine, mean Earth radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(a))


async def _refusal(
    session: AsyncSession, activity: Activity, person_id: int, now: datetime
) -> CheckinResult | None:
    """Why this person may not check in to this activity now; None when they may."""
    assert activity.id is not None
    if activity.cancelled_at is not None:
        return CheckinResult(CheckinOutcome.CANCELLED, activity)
    if activity.organiser_id == person_id:
        return CheckinResult(CheckinOutcome.ORGANISER, activity)
    mine = await person_grid_ids(session=session, person_id=person_id)
    if not mine & await activity_grid_ids(session=session, activity_id=activity.id):
        return CheckinResult(CheckinOutcome.NOT_MEMBER, activity)
    earlier = await queries.attendance_of(
        session=session, activity_id=activity.id, person_id=person_id
    )
    if earlier is not None and earlier.status == AttendanceStatus.CHECKED_IN:
        return CheckinResult(CheckinOutcome.ALREADY, activity, at=earlier.checked_in_at)
    if now < opens_at(activity):
        return CheckinResult(CheckinOutcome.NOT_OPEN, activity)
    if now > activity.ends_at:
        return CheckinResult(CheckinOutcome.ENDED, activity)
    return None


async def _record(
    session: AsyncSession, activity: Activity, person_id: int, method: CheckinMethod, now: datetime
) -> CheckinResult:
    assert activity.id is not None
    inserted = await queries.insert_attendance(
        session=session,
        row=Attendance(
            activity_id=activity.id,
            person_id=person_id,
            status=AttendanceStatus.CHECKED_IN,
            method=method,
            checked_in_at=now,
            recorded_by=person_id,
            created_at=now,
        ),
    )
    if inserted:
        return CheckinResult(CheckinOutcome.CHECKED_IN, activity, at=now)
    row = await queries.attendance_of(
        session=session, activity_id=activity.id, person_id=person_id, for_update=True
    )
    assert row is not None
    if row.status == AttendanceStatus.CHECKED_IN:
        return CheckinResult(CheckinOutcome.ALREADY, activity, at=row.checked_in_at)
    # Leave had been recorded, but the member came after all.
    row.status, row.method, row.checked_in_at = AttendanceStatus.CHECKED_IN, method, now
    row.recorded_by = person_id
    session.add(row)
    await session.flush()
    return CheckinResult(CheckinOutcome.CHECKED_IN, activity, at=now)


async def _admit(
    session: AsyncSession, activity: Activity, person_id: int, method: CheckinMethod, now: datetime
) -> CheckinResult:
    refusal = await _refusal(session, activity, person_id, now)
    if refusal is not None:
        return refusal
    if has_location(activity):
        # The proof is good; the location decides (check_in_at_location).
        return CheckinResult(CheckinOutcome.NEED_LOCATION, activity)
    return await _record(session, activity, person_id, method, now)


async def check_in_by_code(
    *,
    session: AsyncSession,
    person_id: int,
    code: str,
    now: datetime,
    period_s: int,
    limits: CheckinLimits,
) -> CheckinResult:
    """Find the activity whose current or previous code this is and check the person in.

    The code alone identifies the activity (one lookup in the code index); among several
    matches (a 1-in-a-million coincidence) the person's own open activity wins. Every code
    tried counts against the person's limit for all activities, and against the activity's
    limit: the activity it belongs to, or for a wrong code each activity the person could be
    checking in to now. Over either limit the code is not even checked (LIMITED, with the
    time to try again). The caller commits.
    """
    parsed = parse_code(code)
    if parsed is None:
        return CheckinResult(CheckinOutcome.WRONG_CODE)
    code = parsed
    retry_at = await take(session=session, person_id=person_id, rule=limits.overall, now=now)
    if retry_at is not None:
        return CheckinResult(CheckinOutcome.LIMITED, retry_at=retry_at)
    await forget_checkin_slots(session=session, person_id=person_id, now=now)
    step = code_step(now, period_s)
    found = await find_code(session=session, code=code, now=now, period_s=period_s)
    current = list(dict.fromkeys(a for a, s in found if s >= step - 1))
    results: list[CheckinResult] = []
    for activity_id in current:
        activity = await queries.activity_by_id(session=session, activity_id=activity_id)
        assert activity is not None
        retry_at = await take(
            session=session, person_id=person_id, rule=limits.for_activity(activity_id), now=now
        )
        if retry_at is not None:
            results.append(CheckinResult(CheckinOutcome.LIMITED, activity, retry_at=retry_at))
            continue
        result = await _admit(session, activity, person_id, CheckinMethod.CODE, now)
        if result.outcome in (CheckinOutcome.CHECKED_IN, CheckinOutcome.NEED_LOCATION):
            return result
        results.append(result)
    if results:
        return results[0]
    return await _wrong(session, person_id, found, now, limits)


async def _wrong(
    session: AsyncSession,
    person_id: int,
    found: list[tuple[int, int]],
    now: datetime,
    limits: CheckinLimits,
) -> CheckinResult:
    """A code that is no activity's now: it counts against every activity the person could
    be checking in to; LIMITED when each of them is over its limit."""
    retries = []
    for open_now in await open_activities_for(session=session, person_id=person_id, now=now):
        assert open_now.id is not None
        retry_at = await take(
            session=session, person_id=person_id, rule=limits.for_activity(open_now.id), now=now
        )
        retries.append(retry_at)
    if retries and None not in retries:
        return CheckinResult(CheckinOutcome.LIMITED, retry_at=min(r for r in retries if r))
    if found:
        stale = await queries.activity_by_id(session=session, activity_id=found[0][0])
        return CheckinResult(CheckinOutcome.STALE_CODE, stale)
    return CheckinResult(CheckinOutcome.WRONG_CODE)


async def check_in_by_link(
    *, session: AsyncSession, person_id: int, token: str, now: datetime
) -> CheckinResult:
    """Check in with the token of an activity's check-in link. The caller commits."""
    if not LINK_TOKEN_PATTERN.fullmatch(token):
        return CheckinResult(CheckinOutcome.UNKNOWN_LINK)
    activity = await queries.activity_by_link_hash(session=session, token_hash=hash_token(token))
    if activity is None:
        return CheckinResult(CheckinOutcome.UNKNOWN_LINK)
    return await _admit(session, activity, person_id, CheckinMethod.LINK, now)


async def check_in_at_location(
    *,
    session: AsyncSession,
    person_id: int,
    activity_id: int,
    method: CheckinMethod,
    latitude: float,
    longitude: float,
    now: datetime,
    default_radius_m: int,
) -> CheckinResult:
    """Second step of a check-in at an activity with a location: the person's proof (code or
    link) was accepted; record it if they are within the radius. The caller commits."""
    activity = await queries.activity_by_id(session=session, activity_id=activity_id)
    if activity is None:
        return CheckinResult(CheckinOutcome.UNKNOWN_LINK)
    refusal = await _refusal(session, activity, person_id, now)
    if refusal is not None:
        return refusal
    radius = activity.radius_m or default_radius_m
    if activity.latitude is not None and activity.longitude is not None:
        away = distance_m(activity.latitude, activity.longitude, latitude, longitude)
        if away > radius:
            return CheckinResult(CheckinOutcome.TOO_FAR, activity, distance_m=away, radius_m=radius)
    return await _record(session, activity, person_id, method, now)


async def open_activities_for(
    *, session: AsyncSession, person_id: int, now: datetime
) -> list[Activity]:
    """Activities of the person's grids open for check-in now (not organised by them)."""
    mine = await person_grid_ids(session=session, person_id=person_id)
    found = await queries.activities_for_grids(
        session=session,
        grid_ids=mine,
        starts_before=now + CHECKIN_OPENS_BEFORE,
        ends_after=now,
    )
    return [a for a in found if a.organiser_id != person_id]
