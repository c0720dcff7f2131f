"""/grid: browse the grids in one's scope and see who is in them and who has bound.

Callback data names only ids; every press is re-checked against the viewer's scope,
since a client can send any callback data it likes.
"""

import re

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from core.formatting import esc
from handlers.access import guarded, refuse
from handlers.context import GridApplication, GridContext
from models import grids
from models.enums import GridLevel
from services import texts as shared_texts
from services.access import Capability, CommandSpec, Viewer, mask_mobile
from services.grids import texts

COMMANDS = (
    CommandSpec(
        "grid",
        "网格成员与绑定情况",
        "查看您管辖的网格：企业、统计员及其绑定情况，网格长、副网格长和网格指导员。",
        Capability.VIEW_GRIDS,
    ),
)

CALLBACK_PATTERN = re.compile(r"^grid:(?:(c)|([tg]):(\d{1,10}))$")

Screen = tuple[str, InlineKeyboardMarkup | None]


def _buttons(rows: list[tuple[str, str]], back: str | None) -> InlineKeyboardMarkup:
    keyboard = [[InlineKeyboardButton(label, callback_data=data)] for label, data in rows]
    if back is not None:
        keyboard.append([InlineKeyboardButton(texts.GRID_BACK, callback_data=back)])
    return InlineKeyboardMarkup(keyboard)


async def city_screen(session: AsyncSession) -> Screen:
    towns = await grids.towns(session=session)
    if not towns:
        return texts.GRID_NONE, None
    return texts.GRID_CHOOSE_TOWN, _buttons([(t.name, f"grid:t:{t.id}") for t in towns], None)


async def town_screen(session: AsyncSession, viewer: Viewer, town_id: int) -> Screen:
    town = await grids.grid_by_id(session=session, grid_id=town_id)
    assert town is not None
    children = await grids.level3_grids(session=session, town_ids=[town_id])
    if not children:
        return f"<b>{esc(town.name)}</b>\n{texts.GRID_NONE}", None
    sizes = await grids.survey_object_counts(
        session=session, grid_ids=[g.id for g in children if g.id is not None]
    )
    text = texts.GRID_CHOOSE_GRID.format(town=esc(town.name), count=len(children))
    back = "grid:c" if viewer.is_city_wide else None
    choices = [
        (texts.grid_label(g.name, sizes.get(g.id or 0, 0)), f"grid:g:{g.id}") for g in children
    ]
    return text, _buttons(choices, back)


async def grid_screen(session: AsyncSession, viewer: Viewer, grid_id: int, town_id: int) -> Screen:
    grid = await grids.grid_by_id(session=session, grid_id=grid_id)
    assert grid is not None
    members = await grids.grid_members(session=session, grid_id=grid_id)
    staff = (await grids.grid_staff(session=session, grid_ids=[grid_id])).get(grid_id, [])
    bound = sum(1 for m in members if m.bound)
    lines = [f"<b>{esc(grid.name)}</b>", texts.grid_summary(len(members), bound), ""]
    for role, person in staff:
        lines.append(f"{role.value}：{esc(person.name)} {mask_mobile(person.mobile)}")
    if staff:
        lines.append("")
    for number, member in enumerate(members, start=1):
        mark = texts.BOUND_MARK if member.bound else texts.UNBOUND_MARK
        who = (
            f"{esc(member.statistician_name)} {mask_mobile(member.statistician_mobile)}"
            if member.statistician_name and member.statistician_mobile
            else shared_texts.NOBODY
        )
        lines.append(f"{number}. {esc(member.name)}｜{who}｜{mark}")
    may_go_up = viewer.is_city_wide or town_id in viewer.town_ids
    back = f"grid:t:{town_id}" if may_go_up else None
    return "\n".join(lines), _buttons([], back) if back else None


async def _first_screen(session: AsyncSession, viewer: Viewer) -> Screen:
    if viewer.is_city_wide:
        return await city_screen(session)
    if len(viewer.town_ids) == 1:
        [town_id] = viewer.town_ids
        return await town_screen(session, viewer, town_id)
    if len(viewer.town_ids) > 1:
        return texts.GRID_CHOOSE_TOWN, _buttons(
            [
                (p.grid_name, f"grid:t:{p.grid_id}")
                for p in viewer.posts
                if p.grid_id in viewer.town_ids
            ],
            None,
        )
    staffed = sorted(
        {
            (p.grid_name, p.grid_id, p.town_id or 0)
            for p in viewer.posts
            if p.grid_id in viewer.staffed_grid_ids
        }
    )
    if not staffed:
        return texts.GRID_NONE, None
    if len(staffed) == 1:
        _name, grid_id, town_id = staffed[0]
        return await grid_screen(session, viewer, grid_id, town_id)
    choices = [(name, f"grid:g:{gid}") for name, gid, _town in staffed]
    return texts.GRID_CHOOSE_OWN, _buttons(choices, None)


@guarded(Capability.VIEW_GRIDS)
async def grid_command(
    update: Update, _context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    text, markup = await _first_screen(session, viewer)
    assert update.effective_message is not None
    await update.effective_message.reply_html(text, reply_markup=markup)


@guarded(Capability.VIEW_GRIDS)
async def grid_button(
    update: Update, _context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    query = update.callback_query
    assert query is not None
    match = CALLBACK_PATTERN.fullmatch(query.data or "")
    if match is None:
        await refuse(update, shared_texts.STALE_BUTTON)
        return
    city, kind, raw_id = match.groups()
    screen: Screen | None
    if city:
        screen = await city_screen(session) if viewer.is_city_wide else None
    else:
        node = await grids.grid_by_id(session=session, grid_id=int(raw_id))
        expected = GridLevel.TOWN if kind == "t" else GridLevel.GRID
        if node is None or node.id is None or node.level != expected:
            await refuse(update, shared_texts.STALE_BUTTON)
            return
        if kind == "t":
            allowed = viewer.may_view_town(node.id)
            screen = await town_screen(session, viewer, node.id) if allowed else None
        else:
            assert node.parent_id is not None
            allowed = viewer.may_view_grid(grid_id=node.id, town_id=node.parent_id)
            screen = (
                await grid_screen(session, viewer, node.id, node.parent_id) if allowed else None
            )
    if screen is None:
        await refuse(update, shared_texts.FORBIDDEN_SCOPE)
        return
    await query.answer()
    text, markup = screen
    await query.edit_message_text(text, parse_mode="HTML", reply_markup=markup)


def register(app: GridApplication) -> None:
    app.add_handler(CommandHandler("grid", grid_command, filters=filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(grid_button, pattern=r"^grid:"))
