"""The check-in code index: a typed code finds its activity and step among many open ones
with one lookup, computing no HMAC once the index is filled; codes stay valid exactly as they
were (current and previous step admitted, older ones stale)."""

import secrets
from datetime import timedelta

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from models.db import transaction
from models.enums import ActivityKind
from models.tables import Activity
from services.activities import code_index
from services.activities.checkin import CheckinOutcome
from services.activities.code_index import INDEX_AHEAD_STEPS, STALE_STEPS, find_code
from services.activities.codes import code_at, code_step, codes_between, new_code_secret
from tests.conftest import SmallCity
from tests.services.activities.support import NOW, PERIOD, code_check_in, ongoing, publish

MANY = 100


async def many_activities(
    sessions: async_sessionmaker[AsyncSession], city: SmallCity, count: int = MANY
) -> list[Activity]:
    """`count` activities open now, of another grid's organiser (nobody here may join)."""
    rows = [
        Activity(
            kind=ActivityKind.STUDY,
            title=f"活动{n}",
            starts_at=NOW - timedelta(minutes=n % 50),
            ends_at=NOW + timedelta(hours=2),
            place="会议室",
            organiser_id=city.person_id("other_town_head"),
            code_secret=new_code_secret(),
            link_token_hash=secrets.token_hex(32),
        )
        for n in range(count)
    ]
    async with transaction(sessions) as session:
        session.add_all(rows)
    return rows


async def lookup(
    sessions: async_sessionmaker[AsyncSession], code: str, at: timedelta = timedelta(0)
) -> list[tuple[int, int]]:
    async with transaction(sessions) as session:
        return await find_code(session=session, code=code, now=NOW + at, period_s=PERIOD)


@pytest.fixture
def hmacs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the codes the index derives."""
    calls = [0]

    def counted(secret: str, first: int, last: int) -> list[tuple[int, str]]:
        calls[0] += last + 1 - first
        return codes_between(secret, first, last)

    monkeypatch.setattr(code_index, "codes_between", counted)
    return calls


def test_codes_between_are_the_codes_of_each_step() -> None:
    secret = new_code_secret()
    assert codes_between(secret, 1000, 1200) == [(s, code_at(secret, s)) for s in range(1000, 1201)]


async def test_each_code_finds_its_activity_and_step_among_many(
    sessions: async_sessionmaker[AsyncSession], small_city: SmallCity
) -> None:
    activities = await many_activities(sessions, small_city)
    step = code_step(NOW, PERIOD)
    for activity in activities[::7]:
        for back in (0, 1, 2, STALE_STEPS - 1):
            found = await lookup(sessions, code_at(activity.code_secret, step - back))
            assert (activity.id, step - back) in found
            # A 1-in-a-million coincidence aside, only that activity has this code.
            assert len(found) <= 2
        too_old = code_at(activity.code_secret, step - STALE_STEPS)
        assert all(a != activity.id for a, _ in await lookup(sessions, too_old))
    # Later, past what was indexed ahead, the codes of that time are found as well.
    later = timedelta(seconds=PERIOD * (INDEX_AHEAD_STEPS + 5))
    target = activities[42]
    code = code_at(target.code_secret, code_step(NOW + later, PERIOD))
    assert (target.id, code_step(NOW + later, PERIOD)) in await lookup(sessions, code, later)


async def test_a_lookup_computes_no_hmac_once_the_index_is_filled(
    sessions: async_sessionmaker[AsyncSession], small_city: SmallCity, hmacs: list[int]
) -> None:
    activities = await many_activities(sessions, small_city)
    await lookup(sessions, "123456")
    filled = hmacs[0]
    assert filled == MANY * (STALE_STEPS + INDEX_AHEAD_STEPS)
    step = code_step(NOW, PERIOD)
    for minutes in range(INDEX_AHEAD_STEPS):
        at = timedelta(minutes=minutes)
        target = activities[minutes]
        code = code_at(target.code_secret, step + minutes)
        assert (target.id, step + minutes) in await lookup(sessions, code, at)
    assert hmacs[0] == filled
    # A new activity is indexed (alone) at its first lookup: its code works at once.
    [new] = await many_activities(sessions, small_city, 1)
    assert (new.id, step) in await lookup(sessions, code_at(new.code_secret, step))
    assert hmacs[0] == filled + STALE_STEPS + INDEX_AHEAD_STEPS


async def test_the_member_checks_in_to_the_right_one_of_many_activities(
    sessions: async_sessionmaker[AsyncSession], small_city: SmallCity
) -> None:
    await many_activities(sessions, small_city)
    mine = await publish(sessions, small_city, **ongoing())
    step = code_step(NOW, PERIOD)
    code = code_at(mine.code_secret, step - 1)
    result = await code_check_in(sessions, small_city, "member", code)
    assert result.outcome == CheckinOutcome.CHECKED_IN
    assert result.activity is not None
    assert result.activity.id == mine.id
    stale = code_at(mine.code_secret, step - 5)
    result = await code_check_in(sessions, small_city, "instructor", stale)
    assert result.outcome == CheckinOutcome.STALE_CODE
    assert result.activity is not None
    assert result.activity.id == mine.id
