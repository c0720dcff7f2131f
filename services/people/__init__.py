"""People in the chat, for admins: /person shows someone's posts, enterprises, binding and
history; [交接给新人] hands their seat to a successor (services.onboarding.rebind)."""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from core.buttons import Button, Keyboard
from core.formatting import esc
from models import people as queries
from models.enums import Role
from models.tables import Person
from services.access import Viewer
from services.audit import Actor, AuditAction, record
from services.onboarding import RebindError, RebindResult, rebind, viewers_for
from services.onboarding.phone import mask
from services.people import texts
from services.people.buttons import DeactivateStart, HandoverConfirm, HandoverStart, RebindStart
from services.roster_import.cells import normalise_mobile

LISTED = 5
# A successor's name: what fits the roster's 姓名 and, three bytes a character, a button.
MAX_NAME_CHARS = 10


def may_manage(viewer: Viewer) -> bool:
    return Role.ADMIN in viewer.roles


async def find_people(*, session: AsyncSession, query: str) -> list[Person]:
    """The person with this mobile, else the people with exactly this name."""
    text = query.strip()[:50]
    if not text:
        return []
    mobile = normalise_mobile(text)
    if mobile is not None:
        found = await queries.person_by_mobile(session=session, mobile=mobile)
        return [found] if found is not None else []
    return await queries.people_named(session=session, name=text, limit=LISTED)


async def render_person(*, session: AsyncSession, person: Person) -> tuple[str, Keyboard | None]:
    """The /person card and, for an active person, [交接给新人]."""
    assert person.id is not None
    viewer = (await viewers_for(session=session, persons=[person]))[person.id]
    posts = [f"• {p.role.value} · {p.grid_name}" for p in viewer.posts]
    kept = await queries.enterprises_kept_by(session=session, person_ids=[person.id])
    names = [obj.name for obj, _town, _grid in kept[person.id]]
    binding = await queries.live_binding(session=session, person_id=person.id)
    ended_posts, ended_bindings = await queries.history_counts(session=session, person_id=person.id)
    lines = [
        texts.CARD_HEADING.format(
            name=esc(person.name),
            mobile=mask(person.mobile),
            state=texts.ACTIVE if person.active else texts.REPLACED,
        ),
        texts.BOUND.format(account=mask(str(binding.telegram_user_id)))
        if binding is not None
        else texts.UNBOUND,
        "",
        texts.POSTS_HEADING,
        "\n".join(esc(p) for p in posts) if posts else texts.NO_POSTS,
        "",
        texts.ENTERPRISES.format(count=len(names), names=esc("、".join(names[:10]))),
        texts.HISTORY.format(posts=ended_posts, bindings=ended_bindings),
    ]
    keyboard = (
        [
            [
                Button(texts.HANDOVER_BUTTON, data=HandoverStart(person.id)),
                Button(texts.REBIND_BUTTON, data=RebindStart(person.id, confirm=False)),
                Button(texts.DEACTIVATE_BUTTON, data=DeactivateStart(person.id, confirm=False)),
            ]
        ]
        if person.active
        else None
    )
    return "\n".join(lines), keyboard


@dataclass(frozen=True)
class Successor:
    name: str
    mobile: str


# Chinese characters, Latin letters and the middle dot of transcribed names: at most three
# bytes each, so the name always fits [确认交接]'s callback data.
_SUCCESSOR = re.compile(
    rf"^\s*(?P<name>[\u4e00-\u9fffA-Za-z·]{{1,{MAX_NAME_CHARS}}})[\s,，:：]+(?P<mobile>.+?)\s*$"
)


def parse_handover(text: str) -> tuple[int, Successor] | None:
    """「12 张三 13812345678」: the person's id, then the successor."""
    head, _, rest = text.strip().partition(" ")
    if not head.isascii() or not head.isdigit() or not 1 <= len(head) <= 9:
        return None
    successor = parse_successor(rest)
    if successor is None or int(head) < 1:
        return None
    return int(head), successor


def parse_successor(text: str) -> Successor | None:
    """「张三 13812345678」: the successor's name and mobile, None if it is not that."""
    found = _SUCCESSOR.match(text[:100])
    if found is None:
        return None
    mobile = normalise_mobile(found["mobile"])
    if mobile is None:
        return None
    return Successor(found["name"], mobile)


def confirm_keyboard(person_id: int, successor: Successor) -> Keyboard:
    return [
        [
            Button(
                texts.HANDOVER_CONFIRM,
                data=HandoverConfirm(person_id, successor.mobile, successor.name),
            )
        ]
    ]


@dataclass(frozen=True)
class HandoverDone:
    text: str
    result: RebindResult | None


async def hand_over(
    *,
    session: AsyncSession,
    viewer: Viewer,
    person_id: int,
    successor: Successor,
    ttl: timedelta,
    now: datetime,
) -> HandoverDone:
    """Hand the person's seat to the successor (the caller commits when `result` is set)."""
    old = await queries.person_by_id(session=session, person_id=person_id)
    if old is None:
        return HandoverDone(texts.UNKNOWN, None)
    try:
        result = await rebind(
            session=session,
            mobile=old.mobile,
            new_name=successor.name,
            new_mobile=successor.mobile,
            ttl=ttl,
            now=now,
            actor=Actor.chat(viewer.person_id, viewer.name),
        )
    except RebindError as exc:
        return HandoverDone(esc(str(exc)), None)
    return HandoverDone(
        texts.HANDED_OVER.format(
            new=esc(result.new.name),
            old=esc(result.old.name),
            enterprises=result.moved_enterprises,
            posts=result.moved_assignments,
        ),
        result,
    )


def rebind_question(person: Person) -> tuple[str, Keyboard]:
    assert person.id is not None
    text = texts.REBIND_ASK.format(name=esc(person.name), mobile=mask(person.mobile))
    return text, [[Button(texts.REBIND_CONFIRM, data=RebindStart(person.id, confirm=True))]]


async def rebind_person(
    *, session: AsyncSession, viewer: Viewer, person_id: int, ttl: timedelta, now: datetime
) -> HandoverDone:
    """The same person on a new Telegram account: the binding ends, a fresh link is issued
    (audited; the caller commits when `result` is set)."""
    person = await queries.person_by_id(session=session, person_id=person_id)
    if person is None:
        return HandoverDone(texts.UNKNOWN, None)
    try:
        result = await rebind(
            session=session,
            mobile=person.mobile,
            new_name=None,
            new_mobile=None,
            ttl=ttl,
            now=now,
            actor=Actor.chat(viewer.person_id, viewer.name),
        )
    except RebindError as exc:
        return HandoverDone(esc(str(exc)), None)
    return HandoverDone(texts.REBOUND.format(name=esc(person.name)), result)


def deactivate_question(person: Person) -> tuple[str, Keyboard]:
    assert person.id is not None
    text = texts.DEACTIVATE_ASK.format(name=esc(person.name), mobile=mask(person.mobile))
    return text, [[Button(texts.DEACTIVATE_CONFIRM, data=DeactivateStart(person.id, confirm=True))]]


async def deactivate(
    *, session: AsyncSession, viewer: Viewer, person_id: int, now: datetime
) -> tuple[str, bool]:
    """Take a person off the roster (binding ended, history kept, audited) when they keep no
    enterprise and hold no post; (reply, done). The caller commits when done."""
    person = await queries.person_by_id(session=session, person_id=person_id)
    if person is None or person.id is None or not person.active:
        return texts.UNKNOWN, False
    kept = (await queries.enterprises_kept_by(session=session, person_ids=[person.id]))[person.id]
    posts = await queries.live_assignments(session=session, person_id=person.id)
    if kept or posts:
        return texts.DEACTIVATE_BUSY.format(
            name=esc(person.name), enterprises=len(kept), posts=len(posts)
        ), False
    await queries.end_binding(session=session, person_id=person.id, now=now)
    person.active = False
    session.add(person)
    await record(
        session=session,
        actor=Actor.chat(viewer.person_id, viewer.name),
        action=AuditAction.DEACTIVATE,
        summary=f"停用 {person.name}（{mask(person.mobile)}），绑定解除，历史保留",
        now=now,
    )
    return texts.DEACTIVATED.format(name=esc(person.name)), True
