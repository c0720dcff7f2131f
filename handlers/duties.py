"""/duties: this month's reports and this quarter's activities, for what the viewer's roles
cover (city roles: the city; town leaders: their towns; grid staff: their grids)."""

from datetime import UTC, datetime

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Update
from telegram.ext import CommandHandler, filters

from handlers.access import guarded
from handlers.context import GridApplication, GridContext
from handlers.keyboards import markup
from handlers.reports.compose import monthly_duty
from services.access import Capability, CommandSpec, Viewer
from services.outbox.splitting import split_html
from services.reports.status import overview
from services.reports.unheard import unheard_months

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
    # A 二级网格长's unheard months, each with the digest's buttons to read and confirm.
    for month in await unheard_months(
        session=session, viewer=viewer, now=datetime.now(UTC), duty=monthly_duty(context)
    ):
        await update.effective_message.reply_html(
            month.text(), reply_markup=markup(month.keyboard())
        )


def register(app: GridApplication) -> None:
    app.add_handler(CommandHandler("duties", duties_command, filters=filters.ChatType.PRIVATE))
