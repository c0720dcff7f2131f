"""Some history for a new demo city, so that /stats, /mystats and /activities show something
from the first minute: the city live since two months back, last month's report of the
default grid, a past activity with its attendance, study hours, and an activity under way
now (its check-in code is on the organiser's /activities)."""

from datetime import UTC, date, datetime, time, timedelta, tzinfo

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.demo import TELEGRAM_ID_OFFSET
from bot.sandbox.cast import Cast
from bot.sandbox.chats import VENUES
from models import activities as activity_queries
from models import grids as grid_queries
from models import reports as report_queries
from models import study as study_queries
from models.db import transaction
from models.enums import ActivityKind, AttendanceStatus, CheckinMethod
from models.tables import Activity, Attendance, MonthlyReport
from services.activities.codes import link_token, new_code_secret
from services.onboarding import hash_token
from services.reports.periods import period_of, shift_period

# Where the activity under way takes place: the first venue a pane can send as its location,
# so that its check-in (code, then location) closes inside the page.
VENUE = VENUES[0]
PLACE = f"{VENUE['name']}三楼会议室"
RADIUS_M = 300


def _local(day: date, hour: int, tz: tzinfo) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=tz).astimezone(UTC)


def _activity(
    kind: ActivityKind,
    title: str,
    starts_at: datetime,
    hours: float,
    organiser_id: int,
    *,
    located: bool = False,
) -> Activity:
    secret = new_code_secret()
    return Activity(
        latitude=float(VENUE["latitude"]) if located else None,
        longitude=float(VENUE["longitude"]) if located else None,
        radius_m=RADIUS_M if located else None,
        kind=kind,
        title=title,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        place=PLACE,
        organiser_id=organiser_id,
        code_secret=secret,
        link_token_hash=hash_token(link_token(secret)),
        created_at=starts_at - timedelta(days=3),
    )


async def add_history(
    *, sessions: async_sessionmaker[AsyncSession], cast: Cast, tz: tzinfo
) -> None:
    """Written straight into a city just built (before anyone has done anything in it)."""
    now = datetime.now(UTC)
    today = now.astimezone(tz).date()
    member, instructor, head, *_ = (p - TELEGRAM_ID_OFFSET for p in cast.panes)
    extras = [p - TELEGRAM_ID_OFFSET for p in cast.extras]
    this_month = today.replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    async with transaction(sessions) as session:
        # Live since two months back: last month is judged (its report counts, /stats has it).
        await grid_queries.set_go_live(
            session=session, day=(last_month - timedelta(days=1)).replace(day=1)
        )
        await report_queries.upsert_report(
            session=session,
            report=MonthlyReport(
                grid_id=cast.grid_id,
                period=shift_period(period_of(now, tz), -1),
                author_id=head,
                activities="组织统计法学习会1次，走访企业6家。",
                problems="2家新入库企业尚未建立统计台账。",
                help_needed="希望乡镇统计站安排一次台账建立培训。",
                plan="下月完成新入库企业台账建立，组织一次联网直报培训。",
                submitted_at=_local(last_month.replace(day=20), 10, tz),
            ),
        )
        past = await activity_queries.add_activity(
            session=session,
            activity=_activity(
                ActivityKind.STUDY,
                "统计法宣传月学习会",
                _local(last_month.replace(day=12), 14, tz),
                2,
                instructor,
            ),
            grid_ids=[cast.grid_id],
        )
        assert past.id is not None
        for person_id in [member, *extras[:2]]:
            await activity_queries.insert_attendance(
                session=session,
                row=Attendance(
                    activity_id=past.id,
                    person_id=person_id,
                    status=AttendanceStatus.CHECKED_IN,
                    method=CheckinMethod.CODE,
                    checked_in_at=past.starts_at + timedelta(minutes=5),
                ),
            )
        # Under way now: the organiser's /activities shows its check-in code, and a member
        # checking in is asked for their location too (a reply keyboard).
        await activity_queries.add_activity(
            session=session,
            activity=_activity(
                ActivityKind.TRAINING,
                "统计台账规范化培训",
                now - timedelta(minutes=30),
                3,
                instructor,
                located=True,
            ),
            grid_ids=[cast.grid_id],
        )
        year_start = today.replace(month=1, day=1)
        for person_id, days_ago, topic, hours in [
            (member, 40, "统计法律法规学习", 3.0),
            (member, 12, "联网直报业务培训", 2.0),
            *((p, 20, "统计台账规范化学习", 1.5) for p in extras),
        ]:
            await study_queries.add_study_record(
                session=session,
                person_id=person_id,
                studied_on=max(year_start, today - timedelta(days=days_ago)),
                topic=topic,
                hours=hours,
            )
