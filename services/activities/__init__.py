"""Grid activities and check-in, free of Telegram.

Check-in opens `CHECKIN_OPENS_BEFORE` (30 minutes) before the start, so people arriving early
can check in at the door, and closes at the end of the window.

Two proofs of presence, both derived from the activity's random `code_secret`:

- the rotating 6-digit code: HMAC-SHA256(code_secret, time step) truncated like TOTP, with one
  step every `checkin_code_seconds`. The current and the previous step are accepted, so a
  forwarded code stops working after at most two periods.
- the check-in link `?start=ci_<token>` (its QR is shown in the room): the token is
  HMAC-SHA256(code_secret, "checkin-link"), so the organiser can show it again at any time
  while the database keeps only its SHA-256. The link does not rotate; an activity with a
  location additionally asks for the member's location and accepts only within the radius.
"""

import base64
import hashlib
import hmac
import math
import re
import secrets
import struct
import unicodedata
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from zoneinfo import ZoneInfo

import qrcode
from sqlmodel.ext.asyncio.session import AsyncSession

from models import activities as queries
from models import grids, people
from models.enums import ActivityKind, AttendanceStatus, CheckinMethod, GridLevel, Role
from models.tables import Activity, Attendance, Grid, Person
from services import outbox
from services.access import Capability, Viewer
from services.activities import texts
from services.onboarding import hash_token
from services.todo import TodoItem

CHECKIN_OPENS_BEFORE = timedelta(minutes=30)
# A code from up to this many steps ago is "expired" rather than "wrong" (a forwarded code).
STALE_STEPS = 180
# /todo lists activities starting within this horizon.
TODO_HORIZON = timedelta(days=7)
# /activities lists what ended this recently, so the organiser can still remind and record leave.
RECENT_PAST = timedelta(days=7)
UPCOMING = timedelta(days=90)
ABSENT_DUTY = "activity_absent"
OUTBOX_KIND = "activity"
LINK_PREFIX = "ci_"
LINK_TOKEN_LENGTH = 32
LINK_TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{32}$")
CODE_PATTERN = re.compile(r"^\d{6}$")
TITLE_MAX = 100
PLACE_MAX = 200
REASON_MAX = 200
# Roles whose holders organise activities for a level-3 grid they staff.
ORGANISER_ROLES = frozenset({Role.GRID_HEAD, Role.INSTRUCTOR})
SHANGHAI = ZoneInfo("Asia/Shanghai")


def activity_ref(activity_id: int) -> str:
    return f"activity:{activity_id}"


# --- Codes, links and QR ------------------------------------------------------------------


def new_code_secret() -> str:
    return secrets.token_hex(32)


def code_step(now: datetime, period_s: int) -> int:
    return int(now.timestamp()) // period_s


def code_at(secret: str, step: int) -> str:
    """The 6-digit code of one time step (RFC 4226 dynamic truncation over HMAC-SHA256)."""
    digest = hmac.new(bytes.fromhex(secret), step.to_bytes(8, "big"), hashlib.sha256).digest()
    offset = digest[-1] & 0x0F
    value = int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFF_FFFF
    return f"{value % 1_000_000:06d}"


@dataclass(frozen=True)
class ShownCode:
    code: str
    # The code is accepted until then (the end of the step after the current one).
    valid_until: datetime


def current_code(activity: Activity, *, now: datetime, period_s: int) -> ShownCode:
    step = code_step(now, period_s)
    return ShownCode(
        code=code_at(activity.code_secret, step),
        valid_until=datetime.fromtimestamp((step + 2) * period_s, tz=UTC),
    )


def link_token(secret: str) -> str:
    """The check-in link's token, derived from the secret so that it can be shown again."""
    digest = hmac.new(bytes.fromhex(secret), b"gridbot/checkin-link", hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")[:LINK_TOKEN_LENGTH]


def checkin_link(bot_username: str, activity: Activity) -> str:
    token = link_token(activity.code_secret)
    return f"https://t.me/{bot_username.lstrip('@')}?start={LINK_PREFIX}{token}"


def qr_png(data: str, *, scale: int = 8) -> bytes:
    """A QR code of `data` as PNG bytes (black on white, 8-bit greyscale, 4-module border)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(data)
    code.make(fit=True)
    matrix: list[list[bool]] = code.get_matrix()
    size = len(matrix) * scale
    rows = bytearray()
    for modules in matrix:
        line = b"\x00" + b"".join((b"\x00" if dark else b"\xff") * scale for dark in modules)
        rows += line * scale

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFF_FFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", size, size, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + chunk(b"IEND", b"")
    )


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine, mean Earth radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(a))


# --- Parsing what the organiser types ------------------------------------------------------


class WindowProblem(StrEnum):
    FORMAT = "format"
    ORDER = "order"
    PAST = "past"


class WindowError(ValueError):
    def __init__(self, problem: WindowProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


_DAY_WORDS = {"今天": 0, "今日": 0, "明天": 1, "明日": 1, "后天": 2}
_TIME = r"(上午|中午|下午|晚上)?\s*(\d{1,2})(?:\s*[:点时]\s*(\d{1,2}|半)?)?\s*分?"
_WINDOW_RE = re.compile(
    r"^(?:(今天|今日|明天|明日|后天)|(?:(\d{4})\s*[-/.年]\s*)?(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?)"
    rf"\s*(?:周.|星期.)?\s*{_TIME}\s*(?:-|~|—|–|至|到)+\s*{_TIME}$"
)


def _clock(period: str | None, hour: str, minute: str | None) -> time:
    h = int(hour)
    m = 30 if minute == "半" else int(minute or 0)
    if period in ("下午", "晚上") and h < 12:
        h += 12
    return time(h, m)


def parse_window(text: str, *, now: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """A date and time window such as "12月3日 14:00-16:00", "2026-12-03 14:00-16:00",
    "明天 9:30-11" or "下午2点-4点半", read in `tz`; returns UTC datetimes.

    A date without a year is the next such date from today. Raises WindowError.
    """
    match = _WINDOW_RE.match(unicodedata.normalize("NFKC", text).strip())
    if match is None:
        raise WindowError(WindowProblem.FORMAT)
    word, year, month, day, p1, h1, m1, p2, h2, m2 = match.groups()
    today = now.astimezone(tz).date()
    try:
        if word is not None:
            on = today + timedelta(days=_DAY_WORDS[word])
        elif year is not None:
            on = date(int(year), int(month), int(day))
        else:
            on = date(today.year, int(month), int(day))
            if on < today:
                on = date(today.year + 1, int(month), int(day))
        start_clock = _clock(p1, h1, m1)
        # "下午2点-4点": the end inherits the start's half of the day.
        end_clock = _clock(p2 or p1, h2, m2)
    except ValueError:
        raise WindowError(WindowProblem.FORMAT) from None
    starts = datetime.combine(on, start_clock, tzinfo=tz).astimezone(UTC)
    ends = datetime.combine(on, end_clock, tzinfo=tz).astimezone(UTC)
    if ends <= starts:
        raise WindowError(WindowProblem.ORDER)
    if ends <= now:
        raise WindowError(WindowProblem.PAST)
    return starts, ends


def clean_text(text: str, limit: int) -> str | None:
    """One line of user text, trimmed; None when empty or longer than `limit`."""
    value = " ".join(text.split())
    return value if value and len(value) <= limit else None


# --- Creating an activity -------------------------------------------------------------------


@dataclass
class ActivityDraft:
    """What the organiser has entered so far; nothing is stored until it is published."""

    kind: ActivityKind | None = None
    title: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    place: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    grid_ids: list[int] = field(default_factory=list)

    def toggle_grid(self, grid_id: int) -> None:
        if grid_id in self.grid_ids:
            self.grid_ids.remove(grid_id)
        else:
            self.grid_ids.append(grid_id)


def organiser_grid_ids(viewer: Viewer) -> frozenset[int]:
    """Level-3 grids where the viewer is 网格长 or 网格指导员: where they may hold activities."""
    if not viewer.can(Capability.ORGANISE_ACTIVITIES):
        return frozenset()
    return frozenset(
        post.grid_id
        for post in viewer.posts
        if post.role in ORGANISER_ROLES and post.level == GridLevel.GRID
    )


async def organiser_grids(*, session: AsyncSession, viewer: Viewer) -> list[Grid]:
    return await queries.level3_grids_by_ids(session=session, grid_ids=organiser_grid_ids(viewer))


class PublishProblem(StrEnum):
    INCOMPLETE = "incomplete"
    GRIDS = "grids"
    PAST = "past"


class PublishError(Exception):
    def __init__(self, problem: PublishProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


@dataclass(frozen=True)
class Published:
    activity: Activity
    grids: list[Grid]
    # People invited (members of the grids except the organiser) and how many were queued.
    members: int
    queued: int


async def invitees(
    *, session: AsyncSession, activity: Activity, grid_ids: Sequence[int]
) -> list[Person]:
    """Who belongs to the activity: the grids' statisticians and staff, except the organiser."""
    members = await queries.grid_people(session=session, grid_ids=grid_ids)
    return [p for p in members if p.id != activity.organiser_id]


async def publish_activity(
    *, session: AsyncSession, viewer: Viewer, draft: ActivityDraft, now: datetime, tz: ZoneInfo
) -> Published:
    """Store the activity and its grids and queue an invitation to every member, all in the
    caller's transaction. Raises PublishError when the draft is incomplete, names a grid the
    viewer does not organise, or has already ended."""
    if (
        draft.kind is None
        or draft.title is None
        or draft.starts_at is None
        or draft.ends_at is None
        or draft.place is None
    ):
        raise PublishError(PublishProblem.INCOMPLETE)
    allowed = organiser_grid_ids(viewer)
    if not draft.grid_ids or not set(draft.grid_ids) <= allowed:
        raise PublishError(PublishProblem.GRIDS)
    if draft.ends_at <= now or draft.ends_at <= draft.starts_at:
        raise PublishError(PublishProblem.PAST)
    secret = new_code_secret()
    activity = await queries.add_activity(
        session=session,
        activity=Activity(
            kind=draft.kind,
            title=draft.title,
            starts_at=draft.starts_at,
            ends_at=draft.ends_at,
            place=draft.place,
            latitude=draft.latitude,
            longitude=draft.longitude,
            organiser_id=viewer.person_id,
            code_secret=secret,
            link_token_hash=hash_token(link_token(secret)),
            created_at=now,
        ),
        grid_ids=draft.grid_ids,
    )
    assert activity.id is not None
    chosen = await queries.level3_grids_by_ids(session=session, grid_ids=draft.grid_ids)
    members = await invitees(session=session, activity=activity, grid_ids=draft.grid_ids)
    accounts = await people.live_telegram_ids(
        session=session, person_ids=[p.id for p in members if p.id is not None]
    )
    text = texts.activity_invitation(
        activity, organiser=viewer.name, grids=[g.name for g in chosen], tz=tz
    )
    queued = 0
    for member in members:
        assert member.id is not None
        if member.id not in accounts:
            continue
        await outbox.enqueue_text(
            session=session,
            chat_id=accounts[member.id],
            person_id=member.id,
            text=text,
            kind=OUTBOX_KIND,
            dedupe_key=f"activity:{activity.id}:invite:{member.id}",
            ref=activity_ref(activity.id),
        )
        queued += 1
    return Published(activity=activity, grids=chosen, members=len(members), queued=queued)


# --- Check-in -----------------------------------------------------------------------------


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


@dataclass(frozen=True)
class CheckinResult:
    outcome: CheckinOutcome
    activity: Activity | None = None
    # The check-in's time (new or earlier).
    at: datetime | None = None
    distance_m: float | None = None
    radius_m: int | None = None


def opens_at(activity: Activity) -> datetime:
    return activity.starts_at - CHECKIN_OPENS_BEFORE


def is_open(activity: Activity, now: datetime) -> bool:
    return activity.cancelled_at is None and opens_at(activity) <= now <= activity.ends_at


def has_location(activity: Activity) -> bool:
    return activity.latitude is not None and activity.longitude is not None


async def _person_grid_ids(session: AsyncSession, person_id: int) -> set[int]:
    covering = await grids.grids_covering(session=session, person_id=person_id)
    return {g.id for g in covering if g.id is not None}


async def _activity_grid_ids(session: AsyncSession, activity_id: int) -> set[int]:
    found = await queries.grids_of(session=session, activity_ids=[activity_id])
    return {g.id for g in found[activity_id] if g.id is not None}


async def _refusal(
    session: AsyncSession, activity: Activity, person_id: int, now: datetime
) -> CheckinResult | None:
    """Why this person may not check in to this activity now; None when they may."""
    assert activity.id is not None
    if activity.cancelled_at is not None:
        return CheckinResult(CheckinOutcome.CANCELLED, activity)
    if activity.organiser_id == person_id:
        return CheckinResult(CheckinOutcome.ORGANISER, activity)
    mine = await _person_grid_ids(session, person_id)
    if not mine & await _activity_grid_ids(session, activity.id):
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
    *, session: AsyncSession, person_id: int, code: str, now: datetime, period_s: int
) -> CheckinResult:
    """Find the activity whose current or previous code this is and check the person in.

    The code alone identifies the activity; among several matches (a 1-in-a-million
    coincidence) the person's own open activity wins. The caller commits.
    """
    code = unicodedata.normalize("NFKC", code).strip()
    if not CODE_PATTERN.fullmatch(code):
        return CheckinResult(CheckinOutcome.WRONG_CODE)
    step = code_step(now, period_s)
    candidates = await queries.activities_between(
        session=session, starts_before=now + timedelta(days=1), ends_after=now - timedelta(days=1)
    )
    matches = [
        a
        for a in candidates
        if hmac.compare_digest(code, code_at(a.code_secret, step))
        or hmac.compare_digest(code, code_at(a.code_secret, step - 1))
    ]
    results = []
    for activity in matches:
        result = await _admit(session, activity, person_id, CheckinMethod.CODE, now)
        if result.outcome in (CheckinOutcome.CHECKED_IN, CheckinOutcome.NEED_LOCATION):
            return result
        results.append(result)
    if results:
        return results[0]
    for activity in candidates:
        for earlier in range(step - 2, step - STALE_STEPS, -1):
            if hmac.compare_digest(code, code_at(activity.code_secret, earlier)):
                return CheckinResult(CheckinOutcome.STALE_CODE, activity)
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


# --- Listing, the organiser's panel, reminders and leave -----------------------------------


def may_manage(viewer: Viewer, activity: Activity, grid_ids: set[int]) -> bool:
    """The organiser, or staff (网格长, 副网格长, 网格指导员) of one of the activity's grids."""
    return activity.organiser_id == viewer.person_id or bool(viewer.staffed_grid_ids & grid_ids)


@dataclass(frozen=True)
class Joined:
    activity: Activity
    attendance: Attendance | None


@dataclass(frozen=True)
class Listing:
    managed: list[Activity]
    joined: list[Joined]


async def list_activities(*, session: AsyncSession, viewer: Viewer, now: datetime) -> Listing:
    """Activities to show in /activities: those the viewer manages (upcoming, ongoing or ended
    in the last week) and those they are invited to (upcoming or ongoing)."""
    managed = await queries.activities_managed(
        session=session,
        organiser_id=viewer.person_id,
        grid_ids=viewer.staffed_grid_ids,
        starts_before=now + UPCOMING,
        ends_after=now - RECENT_PAST,
    )
    managed_ids = {a.id for a in managed}
    mine = await _person_grid_ids(session, viewer.person_id)
    invited = [
        a
        for a in await queries.activities_for_grids(
            session=session, grid_ids=mine, starts_before=now + UPCOMING, ends_after=now
        )
        if a.id not in managed_ids and a.organiser_id != viewer.person_id
    ]
    joined = []
    for activity in invited:
        assert activity.id is not None
        row = await queries.attendance_of(
            session=session, activity_id=activity.id, person_id=viewer.person_id
        )
        joined.append(Joined(activity, row))
    return Listing(managed=managed, joined=joined)


async def open_activities_for(
    *, session: AsyncSession, person_id: int, now: datetime
) -> list[Activity]:
    """Activities of the person's grids open for check-in now (not organised by them)."""
    mine = await _person_grid_ids(session, person_id)
    found = await queries.activities_for_grids(
        session=session,
        grid_ids=mine,
        starts_before=now + CHECKIN_OPENS_BEFORE,
        ends_after=now,
    )
    return [a for a in found if a.organiser_id != person_id]


@dataclass(frozen=True)
class AttendanceLine:
    person_id: int
    name: str
    status: AttendanceStatus | None
    at: datetime | None = None
    method: CheckinMethod | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Panel:
    activity: Activity
    grids: list[Grid]
    lines: list[AttendanceLine]
    # Shown while check-in is open (or about to open today); None otherwise.
    code: ShownCode | None
    ended: bool
    reminded: bool

    @property
    def absent(self) -> list[AttendanceLine]:
        return [line for line in self.lines if line.status is None]


async def managed_activity(
    *, session: AsyncSession, viewer: Viewer, activity_id: int
) -> tuple[Activity, list[Grid]] | None:
    """The activity with its grids when the viewer may manage it; None otherwise (also for
    an unknown id: a forged callback learns nothing)."""
    activity = await queries.activity_by_id(session=session, activity_id=activity_id)
    if activity is None:
        return None
    found = (await queries.grids_of(session=session, activity_ids=[activity_id]))[activity_id]
    if not may_manage(viewer, activity, {g.id for g in found if g.id is not None}):
        return None
    return activity, found


async def attendance_lines(
    *, session: AsyncSession, activity: Activity, grid_ids: Sequence[int]
) -> list[AttendanceLine]:
    """Everyone who belongs to the activity, checked in first (by time), then on leave, then
    absent (by name); people with a record who have since left its grids are kept."""
    assert activity.id is not None
    members = await invitees(session=session, activity=activity, grid_ids=grid_ids)
    rows = {
        r.person_id: r for r in await queries.attendance(session=session, activity_id=activity.id)
    }
    names = {p.id: p.name for p in members if p.id is not None}
    missing = [pid for pid in rows if pid not in names]
    for person in await people.people_by_ids(session=session, person_ids=missing):
        if person.id is not None:
            names[person.id] = person.name
    lines = []
    for person_id, name in names.items():
        row = rows.get(person_id)
        if row is None:
            lines.append(AttendanceLine(person_id, name, None))
        else:
            lines.append(
                AttendanceLine(
                    person_id,
                    name,
                    row.status,
                    at=row.checked_in_at,
                    method=row.method,
                    reason=row.leave_reason,
                )
            )
    order = {AttendanceStatus.CHECKED_IN: 0, AttendanceStatus.LEAVE: 1, None: 2}
    far = datetime.max.replace(tzinfo=UTC)
    lines.sort(key=lambda line: (order[line.status], line.at or far, line.name, line.person_id))
    return lines


async def panel(
    *, session: AsyncSession, viewer: Viewer, activity_id: int, now: datetime, period_s: int
) -> Panel | None:
    """The organiser's view of one activity; None when the viewer may not manage it."""
    found = await managed_activity(session=session, viewer=viewer, activity_id=activity_id)
    if found is None:
        return None
    activity, grid_rows = found
    lines = await attendance_lines(
        session=session, activity=activity, grid_ids=[g.id for g in grid_rows if g.id is not None]
    )
    ended = now > activity.ends_at
    shows_code = activity.cancelled_at is None and not ended
    return Panel(
        activity=activity,
        grids=grid_rows,
        lines=lines,
        code=current_code(activity, now=now, period_s=period_s) if shows_code else None,
        ended=ended,
        reminded=await queries.reminder_claimed(
            session=session, duty=ABSENT_DUTY, target=activity_ref(activity_id)
        ),
    )


class RemindOutcome(StrEnum):
    QUEUED = "queued"
    ALREADY = "already"
    NOT_ENDED = "not_ended"
    NOBODY = "nobody"
    FORBIDDEN = "forbidden"


@dataclass(frozen=True)
class RemindResult:
    outcome: RemindOutcome
    absent: int = 0
    queued: int = 0


async def remind_absentees(
    *, session: AsyncSession, viewer: Viewer, activity_id: int, now: datetime, tz: ZoneInfo
) -> RemindResult:
    """After the end, tell each member who neither checked in nor has leave recorded, once per
    activity: the ReminderClaim row is inserted in the same transaction as the messages."""
    found = await managed_activity(session=session, viewer=viewer, activity_id=activity_id)
    if found is None:
        return RemindResult(RemindOutcome.FORBIDDEN)
    activity, grid_rows = found
    if now <= activity.ends_at or activity.cancelled_at is not None:
        return RemindResult(RemindOutcome.NOT_ENDED)
    lines = await attendance_lines(
        session=session, activity=activity, grid_ids=[g.id for g in grid_rows if g.id is not None]
    )
    absent = [line for line in lines if line.status is None]
    if not absent:
        return RemindResult(RemindOutcome.NOBODY)
    claimed = await queries.claim_reminder(
        session=session,
        duty=ABSENT_DUTY,
        target=activity_ref(activity_id),
        period="",
        step="manual",
        note=f"by person:{viewer.person_id}",
    )
    if not claimed:
        return RemindResult(RemindOutcome.ALREADY, absent=len(absent))
    accounts = await people.live_telegram_ids(
        session=session, person_ids=[line.person_id for line in absent]
    )
    text = texts.activity_absent_reminder(activity, organiser=viewer.name, tz=tz)
    queued = 0
    for line in absent:
        if line.person_id not in accounts:
            continue
        await outbox.enqueue_text(
            session=session,
            chat_id=accounts[line.person_id],
            person_id=line.person_id,
            text=text,
            kind=OUTBOX_KIND,
            dedupe_key=f"activity:{activity_id}:absent:{line.person_id}",
            ref=activity_ref(activity_id),
        )
        queued += 1
    return RemindResult(RemindOutcome.QUEUED, absent=len(absent), queued=queued)


class LeaveOutcome(StrEnum):
    RECORDED = "recorded"
    CHECKED_IN = "checked_in"
    NOT_MEMBER = "not_member"
    FORBIDDEN = "forbidden"


@dataclass(frozen=True)
class LeaveResult:
    outcome: LeaveOutcome
    name: str = ""


async def leave_candidates(
    *, session: AsyncSession, viewer: Viewer, activity_id: int
) -> list[AttendanceLine] | None:
    """Members for whom leave can be recorded (not checked in); None if not allowed."""
    found = await managed_activity(session=session, viewer=viewer, activity_id=activity_id)
    if found is None:
        return None
    activity, grid_rows = found
    lines = await attendance_lines(
        session=session, activity=activity, grid_ids=[g.id for g in grid_rows if g.id is not None]
    )
    return [line for line in lines if line.status != AttendanceStatus.CHECKED_IN]


async def record_leave(
    *,
    session: AsyncSession,
    viewer: Viewer,
    activity_id: int,
    person_id: int,
    reason: str,
    now: datetime,
) -> LeaveResult:
    """Record (or update) a member's leave with its reason. The caller commits."""
    candidates = await leave_candidates(session=session, viewer=viewer, activity_id=activity_id)
    if candidates is None:
        return LeaveResult(LeaveOutcome.FORBIDDEN)
    line = next((c for c in candidates if c.person_id == person_id), None)
    if line is None:
        row = await queries.attendance_of(
            session=session, activity_id=activity_id, person_id=person_id
        )
        if row is not None and row.status == AttendanceStatus.CHECKED_IN:
            return LeaveResult(LeaveOutcome.CHECKED_IN)
        return LeaveResult(LeaveOutcome.NOT_MEMBER)
    inserted = await queries.insert_attendance(
        session=session,
        row=Attendance(
            activity_id=activity_id,
            person_id=person_id,
            status=AttendanceStatus.LEAVE,
            method=CheckinMethod.ORGANISER,
            leave_reason=reason,
            recorded_by=viewer.person_id,
            created_at=now,
        ),
    )
    if not inserted:
        row = await queries.attendance_of(
            session=session, activity_id=activity_id, person_id=person_id, for_update=True
        )
        assert row is not None
        if row.status == AttendanceStatus.CHECKED_IN:
            return LeaveResult(LeaveOutcome.CHECKED_IN, line.name)
        row.leave_reason, row.recorded_by = reason, viewer.person_id
        session.add(row)
        await session.flush()
    return LeaveResult(LeaveOutcome.RECORDED, line.name)


# --- /todo --------------------------------------------------------------------------------


async def todo_items(
    *, session: AsyncSession, viewer: Viewer, now: datetime, tz: tzinfo
) -> list[TodoItem]:
    """Activities starting within 7 days or under way that the viewer has not checked in to
    (nor has leave for), and the activities they organise today."""
    section = texts.TODO_ACTIVITY_SECTION
    items: list[TodoItem] = []
    mine = await _person_grid_ids(session, viewer.person_id)
    invited = [
        a
        for a in await queries.activities_for_grids(
            session=session, grid_ids=mine, starts_before=now + TODO_HORIZON, ends_after=now
        )
        if a.organiser_id != viewer.person_id
    ]
    done = await queries.attended_activity_ids(
        session=session,
        person_id=viewer.person_id,
        activity_ids=[a.id for a in invited if a.id is not None],
    )
    for activity in invited:
        if activity.id in done:
            continue
        items.append(
            TodoItem(
                section=section,
                text=texts.activity_todo(activity, open_now=is_open(activity, now), tz=tz),
                when=activity.starts_at,
            )
        )
    today = now.astimezone(tz).date()
    day_start = datetime.combine(today, time(0), tzinfo=tz)
    organised = await queries.activities_managed(
        session=session,
        organiser_id=viewer.person_id,
        grid_ids=(),
        starts_before=day_start + timedelta(days=1),
        ends_after=day_start,
    )
    for activity in organised:
        if activity.organiser_id != viewer.person_id:
            continue
        if activity.starts_at.astimezone(tz).date() != today:
            continue
        items.append(
            TodoItem(
                section=section,
                text=texts.activity_todo_organiser(activity, tz=tz),
                when=activity.starts_at,
            )
        )
    return items
