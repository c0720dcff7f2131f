"""/duties: this month's reports and this quarter's activities, for what the viewer's roles
cover (city roles: the city; town leaders: their towns; grid staff: their grids)."""

from datetime import UTC, datetime

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Update
from telegram.ext import CommandHandler, filters

from handlers.access import guarded
from handlers.context import GridApplication, GridContext
from services.access import Capability, CommandSpec, Viewer
from services.outbox.splitting import split_html
from services.reports.status import overview

COMMANDS = (
    CommandSpec(
        "duties",
        "网格履职情况",
        "查看本月各网格情况汇报的提交与听取、本季度各网格的活动开展情况（按您的管辖范围）。",
        Capability.VIEW_GRIDS,
    ),
)


@guarded(Capability.VIEW_GRIDS)
async def duties_command(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    assert update.effective_message is not None
    text = await overview(
        session=session, viewer=viewer, now=datetime.now(UTC), tz=context.bot_data.settings.tz
    )
    # A city's every grid outgrows one message: sent in parts.
    for part in split_html(text):
        await update.effective_message.reply_html(part)


def register(app: GridApplication) -> None:
    app.add_handler(CommandHandler("duties", duties_command, filters=filters.ChatType.PRIVATE))
