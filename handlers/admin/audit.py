"""/audit: the latest entries of the audit trail, for admins."""

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Update
from telegram.ext import CommandHandler, filters

from handlers.access import guarded
from handlers.context import GridApplication, GridContext
from models import audit as queries
from models.enums import Role
from services.access import Capability, CommandSpec, Viewer
from services.audit import render_recent, texts

LISTED = 20

COMMANDS = (
    CommandSpec(
        "audit",
        "操作记录",
        "查看最近的管理操作记录（导入、划分、评定、审核、绑定、交接）。",
        Capability.VIEW_GRIDS,
        roles=frozenset({Role.ADMIN}),
    ),
)


@guarded(Capability.VIEW_GRIDS)
async def audit(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    message = update.effective_message
    assert message is not None
    if Role.ADMIN not in viewer.roles:
        await message.reply_html(texts.NOT_ALLOWED)
        return
    entries = await queries.recent_entries(session=session, limit=LISTED)
    text = render_recent(entries, context.bot_data.settings.tz)
    await message.reply_html(f"{text}\n\n{texts.EXPORT_HINT}")


def register(app: GridApplication) -> None:
    app.add_handler(CommandHandler("audit", audit, filters=filters.ChatType.PRIVATE))
