"""/grid: browse the grids in one's scope and see who is in them and who has bound."""

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from handlers.access import guarded, parse_pressed, refuse
from handlers.context import GridApplication, GridContext
from handlers.keyboards import markup
from services.access import Capability, CommandSpec, Viewer
from services.grids.browse import Refusal, first_screen, pressed
from services.grids.buttons import GridOpen

COMMANDS = (
    CommandSpec(
        "grid",
        "网格成员与绑定情况",
        "查看您管辖的网格：企业、统计员及其绑定情况，网格长、副网格长和网格指导员。",
        Capability.VIEW_GRIDS,
    ),
)


@guarded(Capability.VIEW_GRIDS)
async def grid_command(
    update: Update, _context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    screen = await first_screen(session=session, viewer=viewer)
    assert update.effective_message is not None
    await update.effective_message.reply_html(screen.text, reply_markup=markup(screen.buttons))


@guarded(Capability.VIEW_GRIDS)
async def grid_button(
    update: Update, _context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    query = update.callback_query
    assert query is not None
    press = await parse_pressed(update, GridOpen)
    if press is None:
        return
    screen = await pressed(session=session, viewer=viewer, press=press)
    if isinstance(screen, Refusal):
        await refuse(update, screen.text)
        return
    await query.answer()
    await query.edit_message_text(
        screen.text, parse_mode="HTML", reply_markup=markup(screen.buttons)
    )


def register(app: GridApplication) -> None:
    app.add_handler(CommandHandler("grid", grid_command, filters=filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(grid_button, pattern=GridOpen.pattern()))
