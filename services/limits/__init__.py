"""Per-person rate limits: how many questions, follow-ups, notices, exports and check-in codes
one person may send in a sliding window, from the settings, and the Chinese refusal saying when
to try again. The counts live in the database (models.limits), so a restart forgets nothing.

The first step of what a limit guards only looks (`free_at`), so that nobody writes a draft
that cannot be sent; the step that stores or sends it counts it (`take`). A question or notice
begun and cancelled counts nothing. An export and a check-in code are counted when tried.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from enum import StrEnum

from sqlmodel.ext.asyncio.session import AsyncSession

from core.settings import Settings
from models import limits as queries
from services.limits import texts

HOUR = timedelta(hours=1)
# No rule's window is longer (settings bound them), so older slots can be forgotten.
LONGEST_WINDOW = timedelta(days=1)


class Action(StrEnum):
    QUESTION = "question"
    FOLLOWUP = "followup"
    NOTICE = "notice"
    EXPORT = "export"
    # Check-in codes tried, for all activities; per activity it is "checkin:<id>".
    CHECKIN = "checkin"
    # Contacts shared to bind by phone: counted per Telegram account, as the rows of
    # phone_attempt (there is no person yet to hold a RateSlot), with this rule's numbers.
    PHONE = "phone"


_REFUSALS = {
    Action.QUESTION: texts.QUESTION,
    Action.FOLLOWUP: texts.FOLLOWUP,
    Action.NOTICE: texts.NOTICE,
    Action.EXPORT: texts.EXPORT,
    Action.CHECKIN: texts.CHECKIN,
    Action.PHONE: texts.PHONE,
}


@dataclass(frozen=True)
class RateRule:
    """At most `limit` of `key` per person in any `window`."""

    action: Action
    key: str
    limit: int
    window: timedelta

    def __post_init__(self) -> None:
        if self.limit < 1 or not timedelta(0) < self.window <= LONGEST_WINDOW:
            raise ValueError(f"bad rate rule {self}")


def rule(settings: Settings, action: Action) -> RateRule:
    """The per-person rule of one action, from the settings."""
    limit = {
        Action.QUESTION: settings.questions_per_hour,
        Action.FOLLOWUP: settings.followups_per_hour,
        Action.NOTICE: settings.notices_per_hour,
        Action.EXPORT: settings.exports_per_hour,
        Action.CHECKIN: settings.checkin_attempts_per_hour,
        Action.PHONE: settings.phone_attempts_per_hour,
    }[action]
    return RateRule(action, action.value, limit, HOUR)


@dataclass(frozen=True)
class CheckinLimits:
    """Check-in codes one person may try: for all activities (`overall`), and for one."""

    overall: RateRule
    per_activity: int
    window: timedelta

    def for_activity(self, activity_id: int) -> RateRule:
        return RateRule(
            Action.CHECKIN, f"{Action.CHECKIN.value}:{activity_id}", self.per_activity, self.window
        )


def checkin_limits(settings: Settings) -> CheckinLimits:
    return CheckinLimits(
        overall=rule(settings, Action.CHECKIN),
        per_activity=settings.checkin_attempts_per_activity,
        window=timedelta(minutes=settings.checkin_attempt_minutes),
    )


async def free_at(
    *, session: AsyncSession, person_id: int, rule: RateRule, now: datetime
) -> datetime | None:
    """Whether one more action would be allowed now (None), without counting it; else when."""
    return await queries.slot_free_at(
        session=session,
        person_id=person_id,
        action=rule.key,
        limit=rule.limit,
        window=rule.window,
        now=now,
    )


async def take(
    *, session: AsyncSession, person_id: int, rule: RateRule, now: datetime
) -> datetime | None:
    """Count one action: None when allowed (in the caller's transaction, to commit), else when
    the person may try again."""
    return await queries.take_slot(
        session=session,
        person_id=person_id,
        action=rule.key,
        limit=rule.limit,
        window=rule.window,
        now=now,
    )


async def forget_checkin_slots(*, session: AsyncSession, person_id: int, now: datetime) -> None:
    """Drop the person's per-activity check-in counts older than any window."""
    await queries.drop_slots(
        session=session,
        person_id=person_id,
        action_prefix=f"{Action.CHECKIN.value}:",
        taken_before=now - LONGEST_WINDOW,
    )


def retry_time(retry_at: datetime, *, now: datetime, tz: tzinfo) -> str:
    """11:05 (rounded up to the minute, so that trying then works), with the date when it is
    not today, in the bot's time zone."""
    local = retry_at.astimezone(tz)
    if local.second or local.microsecond:
        local = local.replace(second=0, microsecond=0) + timedelta(minutes=1)
    time = local.strftime("%H:%M")
    if local.date() == now.astimezone(tz).date():
        return texts.TODAY_AT.format(time=time)
    return texts.DAY_AT.format(month=local.month, day=local.day, time=time)


def refusal(action: Action, retry_at: datetime, *, now: datetime, tz: tzinfo) -> str:
    """The Chinese refusal: too often, try again at …"""
    return _REFUSALS[action].format(at=retry_time(retry_at, now=now, tz=tz))
