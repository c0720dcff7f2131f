"""Self-service binding by phone number: the account shares its own number with the one-tap
button, and a match with an active, unbound person in the roster binds them.

Only the account's own contact counts (contact.user_id is the sender, not forwarded): anyone
can forward someone else's card. Every attempt is kept (phone_attempt): the unmatched ones are
what town staff review, and the account's attempts in the last window are its rate limit.
"""

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from models import audit as audit_queries
from models import people
from models.tables import Person, PhoneAttempt, TelegramBinding
from services.audit import Actor, AuditAction, record
from services.limits import RateRule
from services.roster_import.cells import normalise_mobile

# The public entry of binding by phone: t.me/<bot>?start=join, and join_<town id> from a
# town's poster (the attempts are then listed for that town's staff).
JOIN_PAYLOAD = "join"
_JOIN_TOWN = re.compile(r"^join_([0-9]{1,9})$")
# Telegram sends numbers as digits with an optional "+"; anything far longer is not a number.
MAX_NUMBER_CHARS = 32


class PhoneOutcome(StrEnum):
    BOUND = "bound"
    ALREADY_BOUND = "already_bound"  # this account already speaks for someone
    LIMITED = "limited"
    NOT_OWN = "not_own"  # a forwarded card, or someone else's number
    UNREADABLE = "unreadable"  # not a mainland mobile
    UNMATCHED = "unmatched"  # no person with this mobile in the roster
    INACTIVE = "inactive"  # the person was replaced
    SEAT_TAKEN = "seat_taken"  # the person is bound to another account


@dataclass(frozen=True)
class PhoneResult:
    outcome: PhoneOutcome
    # The number as read (normalised when readable), to show masked.
    number: str = ""
    person: Person | None = None
    retry_at: datetime | None = None


@dataclass(frozen=True)
class SharedContact:
    """What the contact message carried."""

    sender_id: int
    sender_name: str
    phone_number: str
    contact_user_id: int | None
    forwarded: bool

    @property
    def is_own(self) -> bool:
        return not self.forwarded and self.contact_user_id == self.sender_id


def join_town(payload: str) -> int | None:
    """The town id of a poster's payload (join_12), None for anything else."""
    found = _JOIN_TOWN.match(payload)
    return int(found[1]) if found is not None else None


async def remember_poster(
    *, session: AsyncSession, telegram_user_id: int, telegram_name: str, town_id: int, now: datetime
) -> None:
    """Note which town's poster the account opened (the caller commits); unknown ids are
    ignored."""
    if not await audit_queries.is_town(session=session, grid_id=town_id):
        return
    await audit_queries.add_phone_attempt(
        session=session,
        attempt=PhoneAttempt(
            telegram_user_id=telegram_user_id,
            telegram_name=telegram_name[:200],
            mobile="",
            outcome=audit_queries.ASKED,
            town_id=town_id,
            at=now,
        ),
    )


def read_mobile(phone_number: str) -> str | None:
    """The 11-digit mainland mobile of a shared number (+86, 86, 0086, spaces, dashes)."""
    if len(phone_number) > MAX_NUMBER_CHARS:
        return None
    return normalise_mobile(phone_number)


def mask(number: str) -> str:
    """138****5678: enough for the owner to recognise their number, not to read it off."""
    digits = "".join(ch for ch in number if ch.isdigit())[:MAX_NUMBER_CHARS]
    if len(digits) <= 4:
        return "*" * len(digits)
    keep_head = 3 if len(digits) >= 9 else 1
    return digits[:keep_head] + "*" * (len(digits) - keep_head - 4) + digits[-4:]


async def _retry_at(
    *, session: AsyncSession, telegram_user_id: int, rule: RateRule, now: datetime
) -> datetime | None:
    tried = await audit_queries.phone_attempts_since(
        session=session, telegram_user_id=telegram_user_id, since=now - rule.window
    )
    if len(tried) < rule.limit:
        return None
    return tried[len(tried) - rule.limit] + rule.window


async def bind_by_phone(
    *, session: AsyncSession, contact: SharedContact, rule: RateRule, now: datetime
) -> PhoneResult:
    """Bind the sender to the roster's person with this mobile if everything fits; the attempt
    (and, on success, the binding and its audit entry) is staged for the caller to commit."""
    current = await people.live_binding_for_account(
        session=session, telegram_user_id=contact.sender_id
    )
    if current is not None:
        person = await people.person_by_id(session=session, person_id=current.person_id)
        return PhoneResult(PhoneOutcome.ALREADY_BOUND, person=person)
    retry_at = await _retry_at(
        session=session, telegram_user_id=contact.sender_id, rule=rule, now=now
    )
    if retry_at is not None:
        return PhoneResult(PhoneOutcome.LIMITED, retry_at=retry_at)
    mobile = read_mobile(contact.phone_number)
    number = mobile or contact.phone_number[:MAX_NUMBER_CHARS]
    result = await _match(session=session, contact=contact, mobile=mobile, number=number, now=now)
    town_id = await audit_queries.joined_from_town(
        session=session, telegram_user_id=contact.sender_id
    )
    await audit_queries.add_phone_attempt(
        session=session,
        attempt=PhoneAttempt(
            telegram_user_id=contact.sender_id,
            telegram_name=contact.sender_name[:200],
            mobile=(mobile or "")[:20],
            outcome=result.outcome.value,
            person_id=result.person.id if result.person is not None else None,
            town_id=town_id,
            at=now,
        ),
    )
    return result


async def _match(
    *,
    session: AsyncSession,
    contact: SharedContact,
    mobile: str | None,
    number: str,
    now: datetime,
) -> PhoneResult:
    if not contact.is_own:
        return PhoneResult(PhoneOutcome.NOT_OWN, number=number)
    if mobile is None:
        return PhoneResult(PhoneOutcome.UNREADABLE, number=number)
    person = await people.person_by_mobile(session=session, mobile=mobile)
    if person is None or person.id is None:
        return PhoneResult(PhoneOutcome.UNMATCHED, number=mobile)
    if not person.active:
        return PhoneResult(PhoneOutcome.INACTIVE, number=mobile, person=person)
    if await people.live_binding(session=session, person_id=person.id) is not None:
        return PhoneResult(PhoneOutcome.SEAT_TAKEN, number=mobile, person=person)
    try:
        async with session.begin_nested():
            session.add(
                TelegramBinding(
                    person_id=person.id, telegram_user_id=contact.sender_id, bound_at=now
                )
            )
            await session.flush()
    except IntegrityError:
        # Lost a race against another binding of the same person or account.
        return PhoneResult(PhoneOutcome.SEAT_TAKEN, number=mobile, person=person)
    await record(
        session=session,
        actor=Actor.chat(person.id, person.name),
        action=AuditAction.BIND_PHONE,
        summary=f"{person.name}（{mask(mobile)}）用手机号绑定了 Telegram 账号 {contact.sender_id}",
        now=now,
    )
    return PhoneResult(PhoneOutcome.BOUND, number=mobile, person=person)
