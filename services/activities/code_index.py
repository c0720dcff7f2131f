"""Finding the activity (and time step) of a typed check-in code with one indexed lookup.

A code is HMAC(code_secret, step) (services.activities.codes), so without an index every guess
cost a HMAC per activity and step: ~180 steps of every activity within a day, 48 ms on the
event loop with 60-100 activities open. The index (models.tables.CheckinCode) holds each
activity's codes from the oldest step a lookup needs to `INDEX_AHEAD_STEPS` ahead; it is filled
on the way, in the caller's transaction, for the activities not yet filled that far, so a
new activity's first code works at once and most guesses compute no HMAC at all. Every row can
be derived again, so codes are valid exactly as they would be without it.
"""

import asyncio
from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from models import limits as queries
from services.activities.codes import code_step, codes_between

# A code from up to this many steps ago is "expired" rather than "wrong" (a forwarded code).
STALE_STEPS = 180
# Activities this close to now (by their window) are the ones a code can belong to.
CANDIDATE_SPAN = timedelta(days=1)
# How far ahead the index is filled: with 60 s steps, a fill every half hour.
INDEX_AHEAD_STEPS = 30
# More codes to derive at once than this are derived in a worker thread.
THREAD_FILL_CODES = 2000


def oldest_step(step: int) -> int:
    """The oldest step a lookup at `step` needs (the current one, the previous, stale ones)."""
    return step - STALE_STEPS + 1


async def index_codes(*, session: AsyncSession, now: datetime, period_s: int) -> int:
    """Index the codes of every candidate activity not yet indexed through the current step;
    returns how many activities were filled."""
    step = code_step(now, period_s)
    todo = await queries.activities_to_index(
        session=session,
        period_s=period_s,
        through_step=step,
        starts_before=now + CANDIDATE_SPAN,
        ends_after=now - CANDIDATE_SPAN,
    )
    if not todo:
        return 0
    first, last = oldest_step(step), step + INDEX_AHEAD_STEPS
    spans = [
        (activity_id, secret, first if through is None else max(through + 1, first))
        for activity_id, secret, through in todo
    ]

    def derive() -> list[tuple[int, int, str]]:
        return [
            (activity_id, s, code)
            for activity_id, secret, start in spans
            for s, code in codes_between(secret, start, last)
        ]

    # A large fill (after a quiet spell) derives its HMACs off the event loop.
    many = sum(last + 1 - start for _a, _s, start in spans) > THREAD_FILL_CODES
    codes = await asyncio.to_thread(derive) if many else derive()
    await queries.add_codes(
        session=session,
        period_s=period_s,
        codes=codes,
        filled={activity_id: last for activity_id, _secret, _through in todo},
    )
    # Well behind what any lookup needs, so that a concurrent fill (a step earlier) never
    # inserts a row this deletes.
    await queries.drop_codes(session=session, period_s=period_s, before_step=first - STALE_STEPS)
    return len(todo)


async def find_code(
    *, session: AsyncSession, code: str, now: datetime, period_s: int
) -> list[tuple[int, int]]:
    """(activity id, step) of each candidate activity whose code of the current step or one of
    the `STALE_STEPS` before is `code`, newest step first."""
    await index_codes(session=session, now=now, period_s=period_s)
    step = code_step(now, period_s)
    return await queries.find_code(
        session=session,
        period_s=period_s,
        code=code,
        from_step=oldest_step(step),
        through_step=step,
        starts_before=now + CANDIDATE_SPAN,
        ends_after=now - CANDIDATE_SPAN,
    )
