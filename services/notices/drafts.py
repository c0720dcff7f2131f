"""A notice being composed: whom its sender may address, whom a target reaches, its preview.

Scope is decided here from the sender's posts, never from what a button said: a target is
re-checked against `target_scopes` at every step and again when the notice is sent.
"""

from dataclasses import dataclass
from enum import StrEnum

from sqlmodel.ext.asyncio.session import AsyncSession

from core.formatting import TEXT_LIMIT, plain_len, rendered_len
from models import grids, people
from models import notices as queries
from models.enums import GRID_STAFF_ROLES, TOWN_ROLES, GridLevel, Role
from services.access import Capability, Viewer
from services.notices import texts

# Roles whose holders may address their own level-3 grid.
GRID_SENDER_ROLES = frozenset({Role.INSTRUCTOR, Role.GRID_HEAD})


class ScopeKind(StrEnum):
    GRID = "g"
    TOWN = "t"
    CITY = "c"


class Audience(StrEnum):
    """Who inside a scope: everybody, or the holders of one role."""

    ALL = "all"
    MEMBERS = "member"
    GRID_HEADS = "head"
    INSTRUCTORS = "instructor"


_AUDIENCE_ROLE = {Audience.GRID_HEADS: Role.GRID_HEAD, Audience.INSTRUCTORS: Role.INSTRUCTOR}


@dataclass(frozen=True)
class Scope:
    """A part of the city a sender may address."""

    kind: ScopeKind
    # The grid or town id; 0 for the city.
    grid_id: int
    label: str


@dataclass(frozen=True)
class Draft:
    """A notice being composed; nothing is stored until `sending.send_notice`."""

    text: str
    media_kind: str | None = None
    media_file_id: str | None = None
    scope_kind: ScopeKind | None = None
    scope_id: int | None = None
    audience: Audience | None = None


# The longest grid or town name (Grid.name) and a count no city reaches: the preview is measured
# with these, so a body within NOTICE_MAX fits whatever target the sender picks next.
_LONGEST_NAME = 100
_MOST_PEOPLE = 9_999_999


def _body_limit() -> int:
    """The longest body whose preview (the longest message it appears in: the recipients' copy
    is split by the outbox) fits Telegram's text limit, for any target."""
    target = texts.NOTICE_SCOPE_TOWN.format(name="字" * _LONGEST_NAME)
    label = f"{target} · {max(texts.NOTICE_AUDIENCE_LABELS.values(), key=len)}"
    empty = texts.notice_preview(
        body="",
        media=max(texts.NOTICE_MEDIA_LABELS.values(), key=len),
        target=label,
        total=_MOST_PEOPLE,
        unbound=_MOST_PEOPLE,
        unreachable=_MOST_PEOPLE,
    )
    return TEXT_LIMIT - rendered_len(empty)


NOTICE_MAX = _body_limit()


def body_problem(body: str) -> str | None:
    """The Chinese refusal of a notice body (empty, or longer than NOTICE_MAX), else None."""
    if not body:
        return texts.NOTICE_TEXT_EMPTY
    length = plain_len(body)
    if length > NOTICE_MAX:
        return texts.NOTICE_TEXT_TOO_LONG.format(
            limit=NOTICE_MAX, length=length, over=length - NOTICE_MAX
        )
    return None


class NoticeError(Exception):
    """The draft cannot be sent as it stands (scope not allowed, nobody to send to)."""


@dataclass(frozen=True)
class Reach:
    """Who a target reaches: person ids, and the live Telegram chat of those bound."""

    person_ids: tuple[int, ...]
    chats: dict[int, int]
    unreachable: frozenset[int]

    @property
    def unbound(self) -> int:
        return sum(1 for pid in self.person_ids if pid not in self.chats)


async def target_scopes(*, session: AsyncSession, viewer: Viewer) -> list[Scope]:
    """Every scope the viewer may send a notice to, own grids first."""
    if not viewer.can(Capability.SEND_NOTICES):
        return []
    scopes: list[Scope] = []
    for post in viewer.posts:
        if post.role in GRID_SENDER_ROLES and post.level == GridLevel.GRID:
            scope = Scope(
                ScopeKind.GRID, post.grid_id, texts.NOTICE_SCOPE_GRID.format(name=post.grid_name)
            )
            if scope not in scopes:
                scopes.append(scope)
    if Role.ADMIN in viewer.roles:
        towns = await grids.towns(session=session)
        scopes += [
            Scope(ScopeKind.TOWN, town.id, texts.NOTICE_SCOPE_TOWN.format(name=town.name))
            for town in towns
            if town.id is not None
        ]
        city = await grids.city_grid(session=session)
        scopes.append(
            Scope(ScopeKind.CITY, 0, texts.NOTICE_SCOPE_CITY.format(name=city.name if city else ""))
        )
    else:
        led = sorted(
            {
                (post.grid_name, post.grid_id)
                for post in viewer.posts
                if post.role == Role.TOWN_DEPUTY and post.level == GridLevel.TOWN
            }
        )
        scopes += [
            Scope(ScopeKind.TOWN, town_id, texts.NOTICE_SCOPE_TOWN.format(name=name))
            for name, town_id in led
        ]
    return scopes


async def allowed_scope(
    *, session: AsyncSession, viewer: Viewer, kind: ScopeKind, grid_id: int
) -> Scope | None:
    """The scope if the viewer may address it, else None (a forged or stale choice)."""
    for scope in await target_scopes(session=session, viewer=viewer):
        if scope.kind == kind and scope.grid_id == grid_id:
            return scope
    return None


def target_label(scope: Scope, audience: Audience) -> str:
    return f"{scope.label} · {texts.NOTICE_AUDIENCE_LABELS[audience.value]}"


async def reach(
    *, session: AsyncSession, viewer: Viewer, scope: Scope, audience: Audience
) -> Reach:
    """Who the notice would reach, the sender left out."""
    if scope.kind == ScopeKind.CITY:
        grid_ids: list[int] | None = None
        town_ids: list[int] | None = None
    elif scope.kind == ScopeKind.TOWN:
        level3 = await grids.level3_grids(session=session, town_ids=[scope.grid_id])
        grid_ids = [scope.grid_id, *(g.id for g in level3 if g.id is not None)]
        town_ids = [scope.grid_id]
    else:
        grid_ids, town_ids = [scope.grid_id], []
    found: set[int] = set()
    if audience in (Audience.ALL, Audience.MEMBERS):
        found |= await queries.statisticians(session=session, grid_ids=grid_ids, town_ids=town_ids)
    if audience == Audience.ALL:
        # Everybody working in the scope: grid staff, and town staff for a town or the city.
        roles = set(GRID_STAFF_ROLES)
        if scope.kind != ScopeKind.GRID:
            roles |= TOWN_ROLES
        found |= await queries.staff(session=session, grid_ids=grid_ids, roles=roles)
    elif audience != Audience.MEMBERS:
        found |= await queries.staff(
            session=session, grid_ids=grid_ids, roles=[_AUDIENCE_ROLE[audience]]
        )
    found.discard(viewer.person_id)
    person_ids = tuple(sorted(found))
    chats = await people.live_telegram_ids(session=session, person_ids=person_ids)
    unreachable = await queries.unreachable_ids(session=session, person_ids=list(chats))
    return Reach(person_ids=person_ids, chats=chats, unreachable=frozenset(unreachable))


async def checked_target(
    *, session: AsyncSession, viewer: Viewer, draft: Draft
) -> tuple[Scope, Audience]:
    """The draft's target, if the viewer may address it now; raises NoticeError otherwise."""
    if draft.scope_kind is None or draft.scope_id is None or draft.audience is None:
        raise NoticeError("no target chosen")
    scope = await allowed_scope(
        session=session, viewer=viewer, kind=draft.scope_kind, grid_id=draft.scope_id
    )
    if scope is None:
        raise NoticeError("target outside the sender's scope")
    return scope, draft.audience


async def preview(*, session: AsyncSession, viewer: Viewer, draft: Draft) -> tuple[str, Reach]:
    """The preview text shown before [确认发送], and who it would reach."""
    scope, audience = await checked_target(session=session, viewer=viewer, draft=draft)
    found = await reach(session=session, viewer=viewer, scope=scope, audience=audience)
    text = texts.notice_preview(
        body=draft.text,
        media=texts.NOTICE_MEDIA_LABELS.get(draft.media_kind or ""),
        target=target_label(scope, audience),
        total=len(found.person_ids),
        unbound=found.unbound,
        unreachable=len(found.unreachable),
    )
    return text, found
