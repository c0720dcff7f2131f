"""/departments: the city level's view of each department's 五有 standing (recorded with
`gridbot departments`)."""

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Update
from telegram.ext import CommandHandler, filters

from handlers.access import guarded, refuse
from handlers.context import GridApplication, GridContext
from models.enums import CITY_ROLES
from services.access import Capability, CommandSpec, Viewer
from services.outbox.splitting import split_html
from services.oversight import departments, texts

COMMANDS = (
    CommandSpec(
        "departments",
        "部门“五有”达标情况",
        "查看各部门统计工作“五有”达标情况及佐证（市级管理员、一级网格长）。",
        Capability.VIEW_GRIDS,
        # The city level only (services/oversight/departments.may_view checks the same).
        roles=CITY_ROLES,
    ),
)


@guarded(Capability.VIEW_GRIDS)
async def departments_command(
    update: Update, _context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    if not departments.may_view(viewer):
        await refuse(update, texts.DEPARTMENTS_FORBIDDEN)
        return
    statuses = await departments.department_statuses(session=session)
    if update.effective_message is not None:
        # Every department with its evidence can outgrow one message: sent in parts.
        for part in split_html(departments.chat_view(statuses)):
            await update.effective_message.reply_html(part)


def register(app: GridApplication) -> None:
    app.add_handler(
        CommandHandler("departments", departments_command, filters=filters.ChatType.PRIVATE)
    )
