"""Onboarding: invitation tokens, binding and rebinding Telegram accounts, loading the Viewer."""

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from models import people
from models.enums import GridLevel, Role
from models.tables import Assignment, Invite, Person, TelegramBinding
from services.access import Post, Viewer
from services.audit import Actor, AuditAction, record

# 24 random bytes = 192 bits, URL-safe base64 without padding: 32 characters, inside
# Telegram's 64-character limit for deep-link payloads ([A-Za-z0-9_-]).
TOKEN_BYTES = 24
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{32}$")


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def parse_token(text: str) -> str | None:
    """The invitation token of a /start payload, None if `text` cannot be one (anything but
    32 URL-safe base64 characters: hash_token takes ASCII only)."""
    return text if TOKEN_PATTERN.fullmatch(text) else None


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


class BindOutcome(StrEnum):
    BOUND = "bound"
    ALREADY_BOUND = "already_bound"  # the same account followed its own link again
    MALFORMED = "malformed"
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    REVOKED = "revoked"
    ACCOUNT_TAKEN = "account_taken"  # this Telegram account already speaks for someone else
    SEAT_TAKEN = "seat_taken"  # the person is already bound to another account
    INACTIVE = "inactive"  # the person was replaced


@dataclass(frozen=True)
class BindResult:
    outcome: BindOutcome
    person: Person | None = None
    # For ACCOUNT_TAKEN: whom the account is bound to.
    bound_as: Person | None = None


async def redeem_invite(
    *, session: AsyncSession, token: str, telegram_user_id: int, now: datetime
) -> BindResult:
    """Bind the account to the invite's person if the token is valid; otherwise change nothing.

    The caller commits. The invite row is locked (PostgreSQL) and the live-binding unique
    indexes make two concurrent redemptions end with one binding at most.
    """
    parsed = parse_token(token)
    if parsed is None:
        return BindResult(BindOutcome.MALFORMED)
    invite = await people.invite_by_hash(session=session, token_hash=hash_token(parsed))
    if invite is None:
        return BindResult(BindOutcome.UNKNOWN)
    person = await people.person_by_id(session=session, person_id=invite.person_id)
    assert person is not None
    assert person.id is not None
    current = await people.live_binding_for_account(
        session=session, telegram_user_id=telegram_user_id
    )
    if current is not None and current.person_id == person.id:
        return BindResult(BindOutcome.ALREADY_BOUND, person=person)
    if invite.used_at is not None:
        return BindResult(BindOutcome.USED, person=person)
    if invite.revoked_at is not None:
        return BindResult(BindOutcome.REVOKED, person=person)
    if invite.expires_at <= now:
        return BindResult(BindOutcome.EXPIRED, person=person)
    if not person.active:
        return BindResult(BindOutcome.INACTIVE, person=person)
    if current is not None:
        other = await people.person_by_id(session=session, person_id=current.person_id)
        return BindResult(BindOutcome.ACCOUNT_TAKEN, person=person, bound_as=other)
    if await people.live_binding(session=session, person_id=person.id) is not None:
        return BindResult(BindOutcome.SEAT_TAKEN, person=person)

    invite.used_at = now
    invite.used_by_telegram_id = telegram_user_id
    session.add(invite)
    session.add(
        TelegramBinding(
            person_id=person.id,
            telegram_user_id=telegram_user_id,
            invite_id=invite.id,
            bound_at=now,
        )
    )
    try:
        await session.flush()
    except IntegrityError:
        # Lost a race against another /start for the same account or person.
        await session.rollback()
        return BindResult(BindOutcome.SEAT_TAKEN, person=person)
    await record(
        session=session,
        actor=Actor.chat(person.id, person.name),
        action=AuditAction.BIND_INVITE,
        summary=f"{person.name}用个人邀请链接绑定了 Telegram 账号 {telegram_user_id}",
        now=now,
    )
    return BindResult(BindOutcome.BOUND, person=person)


@dataclass(frozen=True)
class IssuedInvite:
    person: Person
    token: str
    expires_at: datetime


async def issue_invites(
    *, session: AsyncSession, persons: list[Person], ttl: timedelta, now: datetime
) -> list[IssuedInvite]:
    """Issue one fresh token per person, revoking their earlier unused tokens.

    Only hashes are stored, so a token can be shown once: re-exporting issues new links.
    """
    person_ids = [p.id for p in persons if p.id is not None]
    await people.revoke_open_invites(session=session, person_ids=person_ids, now=now)
    issued: list[IssuedInvite] = []
    for person in persons:
        assert person.id is not None
        token = new_token()
        session.add(
            Invite(
                person_id=person.id,
                token_hash=hash_token(token),
                created_at=now,
                expires_at=now + ttl,
            )
        )
        issued.append(IssuedInvite(person=person, token=token, expires_at=now + ttl))
    await session.flush()
    return issued


async def load_viewer(*, session: AsyncSession, telegram_user_id: int) -> Viewer | None:
    """The bound, active person behind a Telegram account, with all their posts."""
    person = await people.person_by_telegram_id(session=session, telegram_user_id=telegram_user_id)
    if person is None or person.id is None:
        return None
    return (await viewers_for(session=session, persons=[person]))[person.id]


async def viewers_for(*, session: AsyncSession, persons: list[Person]) -> dict[int, Viewer]:
    ids = [p.id for p in persons if p.id is not None]
    staff = await people.staff_posts(session=session, person_ids=ids)
    kept = await people.enterprises_kept_by(session=session, person_ids=ids)
    viewers: dict[int, Viewer] = {}
    for person in persons:
        assert person.id is not None
        posts: list[Post] = []
        for role, grid, parent in staff[person.id]:
            assert grid.id is not None
            town = grid if grid.level == GridLevel.TOWN else parent
            posts.append(
                Post(
                    role=role,
                    grid_id=grid.id,
                    grid_name=grid.name,
                    level=grid.level,
                    town_id=town.id if town and grid.level != GridLevel.CITY else None,
                    town_name=town.name if town and grid.level != GridLevel.CITY else None,
                )
            )
        seen_member_grids: set[int] = set()
        for _obj, town, level3 in kept[person.id]:
            # Not yet placed in a level-3 grid: a member of the town for now.
            grid = level3 or town
            assert grid.id is not None
            assert town.id is not None
            if grid.id in seen_member_grids:
                continue
            seen_member_grids.add(grid.id)
            posts.append(
                Post(
                    role=Role.MEMBER,
                    grid_id=grid.id,
                    grid_name=grid.name,
                    level=grid.level,
                    town_id=town.id,
                    town_name=town.name,
                )
            )
        viewers[person.id] = Viewer(
            person_id=person.id,
            name=person.name,
            posts=tuple(sorted(posts, key=lambda p: (p.role == Role.MEMBER, p.level, p.grid_name))),
        )
    return viewers


@dataclass(frozen=True)
class RebindResult:
    old: Person
    new: Person
    ended_telegram_user_id: int | None
    invite: IssuedInvite
    moved_enterprises: int
    moved_assignments: int


class RebindError(Exception):
    """A rebind request that cannot be carried out; the message is Chinese."""


async def rebind(
    *,
    session: AsyncSession,
    mobile: str,
    new_name: str | None,
    new_mobile: str | None,
    ttl: timedelta,
    now: datetime,
    actor: Actor | None = None,
) -> RebindResult:
    """End a person's Telegram binding and issue a fresh link.

    Without a new person it is the same person on a new account. With `new_name` and
    `new_mobile` a replacement takes over the enterprises and live roles; the old person
    is kept, inactive, with their binding and assignment history.
    """
    old = await people.person_by_mobile(session=session, mobile=mobile)
    if old is None or old.id is None:
        raise RebindError(f"花名册中没有手机号为 {mobile} 的人员。")
    if not old.active:
        raise RebindError(f"{old.name}（{mobile}）已被替换，不能再次换绑。")
    ended = await people.end_binding(session=session, person_id=old.id, now=now)
    if (new_name is None) != (new_mobile is None):
        raise RebindError("替换人员时需同时提供新人员的姓名和手机号。")
    if new_name is None or new_mobile is None:
        [invite] = await issue_invites(session=session, persons=[old], ttl=ttl, now=now)
        if actor is not None:
            await record(
                session=session,
                actor=actor,
                action=AuditAction.REBIND,
                summary=f"{old.name}（{mobile}）解除原 Telegram 绑定，重新生成邀请链接",
                now=now,
            )
        return RebindResult(old, old, ended, invite, 0, 0)

    new = await people.person_by_mobile(session=session, mobile=new_mobile)
    if new is None:
        new = Person(name=new_name, mobile=new_mobile, created_at=now)
        session.add(new)
        await session.flush()
    elif new.name != new_name:
        raise RebindError(
            f"手机号 {new_mobile} 已登记为「{new.name}」，与提供的姓名「{new_name}」不一致。"
        )
    elif new.id == old.id:
        raise RebindError("新旧人员是同一人；如只需更换 Telegram 账号，请不要提供新人员。")
    assert new.id is not None
    moved_enterprises = await people.reassign_enterprises(
        session=session, from_person_id=old.id, to_person_id=new.id
    )
    moved_assignments = 0
    already_held = {
        (a.grid_id, a.role)
        for a in await people.live_assignments(session=session, person_id=new.id)
    }
    for assignment in await people.live_assignments(session=session, person_id=old.id):
        assignment.ended_at = now
        session.add(assignment)
        if (assignment.grid_id, assignment.role) in already_held:
            continue
        session.add(
            Assignment(
                person_id=new.id,
                grid_id=assignment.grid_id,
                role=assignment.role,
                explicit=assignment.explicit,
                started_at=now,
            )
        )
        moved_assignments += 1
    old.active = False
    session.add(old)
    [invite] = await issue_invites(session=session, persons=[new], ttl=ttl, now=now)
    if actor is not None:
        await record(
            session=session,
            actor=actor,
            action=AuditAction.HANDOVER,
            summary=(
                f"{new.name}（{new_mobile}）接替 {old.name}（{mobile}）：移交企业 "
                f"{moved_enterprises} 家、角色 {moved_assignments} 个"
            ),
            now=now,
        )
    return RebindResult(old, new, ended, invite, moved_enterprises, moved_assignments)
