"""The /grid browser's screens: towns, grids and a grid's members, within the viewer's scope."""

from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from core.buttons import Button, Keyboard
from core.formatting import esc, fit_lines
from models import grids
from models.enums import GRID_STAFF_ROLES, GridLevel, Role
from services import texts as shared_texts
from services.access import Viewer, shown_mobile
from services.grids import texts
from services.grids.buttons import GridOpen, GridScreen


@dataclass(frozen=True)
class Screen:
    """A message of the browser: HTML text and its buttons."""

    text: str
    buttons: Keyboard | None = None


@dataclass(frozen=True)
class Refusal:
    """A press that shows nothing; `text` says why (stale button, out of scope)."""

    text: str


def _buttons(choices: list[tuple[str, GridOpen]], back: GridOpen | None) -> Keyboard:
    rows = [[Button(label, data=data)] for label, data in choices]
    if back is not None:
        rows.append([Button(texts.GRID_BACK, data=back)])
    return rows


async def city_screen(*, session: AsyncSession) -> Screen:
    towns = await grids.towns(session=session)
    if not towns:
        return Screen(texts.GRID_NONE)
    choices = [(t.name, GridOpen(GridScreen.TOWN, t.id)) for t in towns]
    return Screen(texts.GRID_CHOOSE_TOWN, _buttons(choices, None))


async def town_screen(*, session: AsyncSession, viewer: Viewer, town_id: int) -> Screen:
    town = await grids.grid_by_id(session=session, grid_id=town_id)
    assert town is not None
    children = await grids.level3_grids(session=session, town_ids=[town_id])
    if not children:
        return Screen(f"<b>{esc(town.name)}</b>\n{texts.GRID_NONE}")
    sizes = await grids.survey_object_counts(
        session=session, grid_ids=[g.id for g in children if g.id is not None]
    )
    text = texts.GRID_CHOOSE_GRID.format(town=esc(town.name), count=len(children))
    back = GridOpen(GridScreen.CITY) if viewer.is_city_wide else None
    choices = [
        (texts.grid_label(g.name, sizes.get(g.id or 0, 0)), GridOpen(GridScreen.GRID, g.id))
        for g in children
    ]
    return Screen(text, _buttons(choices, back))


async def grid_screen(
    *, session: AsyncSession, viewer: Viewer, grid_id: int, town_id: int
) -> Screen:
    grid = await grids.grid_by_id(session=session, grid_id=grid_id)
    assert grid is not None
    members = await grids.grid_members(session=session, grid_id=grid_id)
    staff = (await grids.grid_staff(session=session, grid_ids=[grid_id])).get(grid_id, [])
    bound = sum(1 for m in members if m.bound)
    # Numbers in full only within the grid's own relation: its staff see their members', its
    # members see their staff's; everyone else (town and city leaders too) sees them masked.
    roles = {p.role for p in viewer.posts if p.grid_id == grid_id}
    is_staff = bool(roles & GRID_STAFF_ROLES)
    is_member = Role.MEMBER in roles
    lines = [f"<b>{esc(grid.name)}</b>", texts.grid_summary(len(members), bound), ""]
    for role, person in staff:
        reach = shown_mobile(person.mobile, in_full=is_member or is_staff)
        lines.append(f"{role.value}：{esc(person.name)} {reach}")
    if staff:
        lines.append("")
    rows = []
    for number, member in enumerate(members, start=1):
        mark = texts.BOUND_MARK if member.bound else texts.UNBOUND_MARK
        who = (
            f"{esc(member.statistician_name)} "
            f"{shown_mobile(member.statistician_mobile, in_full=is_staff)}"
            if member.statistician_name and member.statistician_mobile
            else shared_texts.NOBODY
        )
        rows.append(f"{number}. {esc(member.name)}｜{who}｜{mark}")
    may_go_up = viewer.is_city_wide or town_id in viewer.town_ids
    back = _buttons([], GridOpen(GridScreen.TOWN, town_id)) if may_go_up else None
    # A grid of many enterprises is listed as far as one message goes.
    text, _shown = fit_lines(
        rows, head="\n".join(lines), more=lambda left: texts.GRID_MORE.format(count=left)
    )
    return Screen(text, back)


async def first_screen(*, session: AsyncSession, viewer: Viewer) -> Screen:
    """What /grid shows first: the widest view the viewer has."""
    if viewer.is_city_wide:
        return await city_screen(session=session)
    if len(viewer.town_ids) == 1:
        [town_id] = viewer.town_ids
        return await town_screen(session=session, viewer=viewer, town_id=town_id)
    if len(viewer.town_ids) > 1:
        led = [
            (p.grid_name, GridOpen(GridScreen.TOWN, p.grid_id))
            for p in viewer.posts
            if p.grid_id in viewer.town_ids
        ]
        return Screen(texts.GRID_CHOOSE_TOWN, _buttons(led, None))
    staffed = sorted(
        {
            (p.grid_name, p.grid_id, p.town_id or 0)
            for p in viewer.posts
            if p.grid_id in viewer.staffed_grid_ids
        }
    )
    if not staffed:
        return Screen(texts.GRID_NONE)
    if len(staffed) == 1:
        _name, grid_id, town_id = staffed[0]
        return await grid_screen(session=session, viewer=viewer, grid_id=grid_id, town_id=town_id)
    choices = [(name, GridOpen(GridScreen.GRID, gid)) for name, gid, _town in staffed]
    return Screen(texts.GRID_CHOOSE_OWN, _buttons(choices, None))


async def pressed(*, session: AsyncSession, viewer: Viewer, press: GridOpen) -> Screen | Refusal:
    """The screen a button opens, re-checked against the viewer's scope (callback data is
    whatever the client sends)."""
    if press.screen is GridScreen.CITY or press.node_id is None:
        if not viewer.is_city_wide:
            return Refusal(shared_texts.FORBIDDEN_SCOPE)
        return await city_screen(session=session)
    node = await grids.grid_by_id(session=session, grid_id=press.node_id)
    expected = GridLevel.TOWN if press.screen is GridScreen.TOWN else GridLevel.GRID
    if node is None or node.id is None or node.level != expected:
        return Refusal(shared_texts.STALE_BUTTON)
    if press.screen is GridScreen.TOWN:
        if not viewer.may_view_town(node.id):
            return Refusal(shared_texts.FORBIDDEN_SCOPE)
        return await town_screen(session=session, viewer=viewer, town_id=node.id)
    assert node.parent_id is not None
    if not viewer.may_view_grid(grid_id=node.id, town_id=node.parent_id):
        return Refusal(shared_texts.FORBIDDEN_SCOPE)
    return await grid_screen(
        session=session, viewer=viewer, grid_id=node.id, town_id=node.parent_id
    )
