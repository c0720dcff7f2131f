"""/deptset: record a department's 五有 item in the chat, for admins
(services.oversight.department_edit); /departments shows them."""

from datetime import UTC, datetime

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Update
from telegram.ext import CommandHandler

from core.formatting import esc
from handlers.access import guarded
from handlers.context import GridApplication, GridContext
from handlers.conversation import PRIVATE
from models.enums import Role
from services.access import Capability, CommandSpec, Viewer
from services.oversight import department_edit as edits

COMMANDS = (
    CommandSpec(
        "deptset",
        "登记部门“五有”",
        "登记某部门一项“五有”是否达标及佐证：/deptset 部门 项目 达标|未达标 [日期] [佐证]。",
        Capability.VIEW_GRIDS,
        roles=frozenset({Role.ADMIN}),
    ),
)


@guarded(Capability.VIEW_GRIDS)
async def deptset_command(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    message = update.effective_message
    assert message is not None
    if not edits.may_edit(viewer):
        await message.reply_html(edits.NOT_ALLOWED)
        return
    edit = edits.parse_edit(" ".join(context.args or []))
    if edit is None:
        await message.reply_html(edits.USAGE)
        return
    now = datetime.now(UTC)
    try:
        reply = await edits.apply_edit(
            session=session,
            viewer=viewer,
            edit=edit,
            today=now.astimezone(context.bot_data.settings.tz).date(),
            now=now,
        )
    except edits.DepartmentError as exc:
        await session.rollback()
        await message.reply_html(esc(str(exc)))
        return
    await session.commit()
    await message.reply_html(reply)


def register(app: GridApplication) -> None:
    app.add_handler(CommandHandler("deptset", deptset_command, filters=PRIVATE))
