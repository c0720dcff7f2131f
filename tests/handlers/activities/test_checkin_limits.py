"""Guessing check-in codes through the real bot is bounded: after the limit even the right
code is refused (in Chinese, with the time to try again) until the window has passed, for one
activity and across all of them."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from emulator import BotApiEmulator
from models.tables import Activity, Attendance
from models.tables.columns import UTCDateTime
from services.activities.codes import code_at, code_step
from tests.conftest import SmallCity
from tests.handlers.activities.support import (
    MEMBER_TG,
    OTHER_TG,
    PERIOD,
    SHANGHAI,
    code_now,
    publish,
)
from tests.handlers.chat import bind, command

pytestmark = pytest.mark.usefixtures("bot_app")

LIMITED = re.compile(r"^签到码尝试次数过多，请在 (?:\d+月\d+日 )?(\d\d:\d\d) 后再试")
SLOTS = sa.table(
    "rate_slot",
    sa.column("person_id", sa.Integer()),
    sa.column("taken_at", UTCDateTime()),
)


@pytest.fixture
def bot_settings() -> dict[str, object]:
    return {
        "checkin_attempts_per_activity": 3,
        "checkin_attempt_minutes": 15,
        "checkin_attempts_per_hour": 6,
    }


def wrong_code(activity: Activity) -> str:
    step = code_step(datetime.now(UTC), PERIOD)
    valid = {code_at(activity.code_secret, s) for s in range(step - 200, step + 2)}
    return next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in valid)


def minutes_between(first: datetime, last: datetime) -> set[str]:
    """Each moment of [first, last] rounded up to its minute, as Shanghai's HH:MM."""
    found, moment = set(), first
    while moment <= last + timedelta(minutes=1):
        rounded = moment.replace(second=0, microsecond=0)
        rounded += timedelta(minutes=1) if rounded < moment else timedelta(0)
        if rounded <= last + timedelta(minutes=1):
            found.add(rounded.astimezone(SHANGHAI).strftime("%H:%M"))
        moment += timedelta(seconds=10)
    return found


async def attendance(sessions: async_sessionmaker[AsyncSession]) -> list[Attendance]:
    async with sessions() as session:
        return list((await session.exec(select(Attendance))).all())


async def pass_time(
    sessions: async_sessionmaker[AsyncSession], person_id: int, by: timedelta
) -> None:
    """Move the person's counted attempts back in time, as if `by` had passed."""
    async with sessions() as session, session.begin():
        rows = (
            await session.exec(
                sa.select(SLOTS.c.taken_at).where(SLOTS.c.person_id == person_id).distinct()
            )
        ).all()
        for (taken_at,) in rows:
            await session.exec(
                sa.update(SLOTS)
                .where(SLOTS.c.person_id == person_id, SLOTS.c.taken_at == taken_at)
                .values(taken_at=taken_at - by)
            )


async def test_after_three_wrong_codes_even_the_right_one_waits_for_the_window(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await bind(emulator, small_city, "member", MEMBER_TG)
    activity = await publish(emulator, sessions, small_city)
    wrong = wrong_code(activity)
    started = datetime.now(UTC)
    for _ in range(3):
        reply = await command(emulator, MEMBER_TG, f"/checkin {wrong}")
        assert "签到码不正确" in (reply.text or ""), reply.text
    counted = datetime.now(UTC)

    refused = await command(emulator, MEMBER_TG, f"/checkin {code_now(activity)}")
    found = LIMITED.match(refused.text or "")
    assert found, refused.text
    # Fifteen minutes after the first wrong code.
    window = timedelta(minutes=15)
    assert found.group(1) in minutes_between(started + window, counted + window)
    assert await attendance(sessions) == []
    # Typed code by code in the conversation: refused the same way.
    await command(emulator, MEMBER_TG, "/checkin")
    again = await command(emulator, MEMBER_TG, code_now(activity))
    assert LIMITED.match(again.text or ""), again.text
    assert await attendance(sessions) == []

    await pass_time(sessions, small_city.person_id("member"), timedelta(minutes=15))
    done = await command(emulator, MEMBER_TG, f"/checkin {code_now(activity)}")
    assert "签到成功" in (done.text or ""), done.text
    assert [a.person_id for a in await attendance(sessions)] == [small_city.person_id("member")]


async def test_guessing_across_activities_is_bounded_too(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """Someone with no activity open (so no activity's own count grows) guesses six codes:
    the seventh is not even checked, though it is a real activity's code."""
    await bind(emulator, small_city, "other_member", OTHER_TG)
    activity = await publish(emulator, sessions, small_city)
    wrong = wrong_code(activity)
    for _ in range(6):
        reply = await command(emulator, OTHER_TG, f"/checkin {wrong}")
        assert "签到码不正确" in (reply.text or ""), reply.text
    refused = await command(emulator, OTHER_TG, f"/checkin {code_now(activity)}")
    assert LIMITED.match(refused.text or ""), refused.text
    await pass_time(sessions, small_city.person_id("other_member"), timedelta(hours=1))
    # Checked again: a real code, of an activity not for this person's grid.
    outsider = await command(emulator, OTHER_TG, f"/checkin {code_now(activity)}")
    assert "不在" in (outsider.text or ""), outsider.text
