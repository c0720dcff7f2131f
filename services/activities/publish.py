"""Creating an activity: the organiser's draft, its grids, the preview and its buttons, and
publishing it with an invitation to every member."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from enum import StrEnum

from sqlmodel.ext.asyncio.session import AsyncSession

from core.buttons import Button, Keyboard
from core.formatting import clock, month_day
from models import activities as queries
from models import people
from models.enums import ActivityKind, GridLevel, Role
from models.tables import Activity, Grid
from services import outbox
from services.access import Capability, Viewer
from services.activities import texts
from services.activities.buttons import (
    ChooseKind,
    Decline,
    GridsChosen,
    Publish,
    SkipLocation,
    ToggleGrid,
)
from services.activities.codes import link_token, new_code_secret
from services.activities.members import OUTBOX_KIND, activity_ref, invitees
from services.onboarding import hash_token

# Roles whose holders organise activities for a level-3 grid they staff.
ORGANISER_ROLES = frozenset({Role.GRID_HEAD, Role.INSTRUCTOR})
KINDS_PER_ROW = 4


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


def kind_keyboard() -> Keyboard:
    kinds = list(ActivityKind)
    return [
        [Button(kind.value, data=ChooseKind(kind)) for kind in kinds[start : start + KINDS_PER_ROW]]
        for start in range(0, len(kinds), KINDS_PER_ROW)
    ]


def skip_location_keyboard() -> Keyboard:
    return [[Button(texts.ACT_LOCATION_SKIP, data=SkipLocation())]]


def grid_keyboard(grids: Sequence[Grid], chosen: Sequence[int]) -> Keyboard:
    """The organiser's grids, the chosen ones ticked, and [完成]."""
    rows: list[list[Button]] = [
        [Button(f"{'✅ ' if grid.id in chosen else ''}{grid.name}", data=ToggleGrid(grid.id))]
        for grid in grids
        if grid.id is not None
    ]
    rows.append([Button(texts.ACT_GRIDS_DONE, data=GridsChosen())])
    return rows


def preview(draft: ActivityDraft, *, grids: Sequence[Grid], tz: tzinfo) -> tuple[str, Keyboard]:
    """The complete draft as the organiser confirms it, with [确认发布] and [取消]."""
    assert draft.kind is not None
    assert draft.title is not None
    assert draft.place is not None
    assert draft.starts_at is not None
    assert draft.ends_at is not None
    when = (
        f"{month_day(draft.starts_at, tz)} {clock(draft.starts_at, tz)}-{clock(draft.ends_at, tz)}"
    )
    summary = texts.activity_summary(
        kind=draft.kind.value,
        title=draft.title,
        when=when,
        place=draft.place,
        located=draft.latitude is not None,
        grids=[g.name for g in grids if g.id in draft.grid_ids],
    )
    text = f"{texts.ACT_PREVIEW_HEADING}\n\n{summary}\n\n{texts.ACT_PREVIEW_FOOTER}"
    buttons = [
        [Button(texts.ACT_CONFIRM, data=Publish()), Button(texts.ACT_CANCEL, data=Decline())]
    ]
    return text, buttons


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


async def publish_activity(
    *, session: AsyncSession, viewer: Viewer, draft: ActivityDraft, now: datetime, tz: tzinfo
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
