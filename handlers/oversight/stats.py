"""/stats: grid scorecards for what the leader's roles cover (text and a chart); /mystats:
a member's or grid leader's progress this year against the 合格/优秀 lines."""

import asyncio
from datetime import UTC, datetime

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Update
from telegram.ext import CommandHandler, filters

from handlers.access import guarded
from handlers.context import GridApplication, GridContext
from services.access import Capability, CommandSpec, Viewer
from services.oversight import texts
from services.oversight.periods import PeriodError
from services.oversight.stats import StatsView, my_progress, render_chart, stats_view

COMMANDS = (
    CommandSpec(
        "stats",
        "网格工作统计",
        "查看管辖范围内各网格的活动、出勤、通知已阅、月度汇报、答复、继续教育等统计并附图表。"
        "可指定周期：/stats 2026-11、/stats 2026Q4、/stats 2026。",
        Capability.VIEW_GRIDS,
    ),
    CommandSpec(
        "mystats",
        "我的考核进度",
        "查看您所在网格今年的各项工作进度，以及与合格、优秀线的差距。",
        Capability.USE_BOT,
    ),
)


@guarded(Capability.VIEW_GRIDS)
async def stats_command(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    assert update.effective_message is not None
    settings = context.bot_data.settings
    try:
        view: StatsView = await stats_view(
            session=session,
            viewer=viewer,
            period_text=" ".join(context.args or ()) or None,
            now=datetime.now(UTC),
            tz=settings.tz,
            duties=context.bot_data.duties_config,
        )
    except PeriodError:
        await update.effective_message.reply_html(texts.STATS_BAD_PERIOD)
        return
    await session.close()
    await update.effective_message.reply_html(view.text)
    if view.chart is not None:
        # Drawing takes a moment of CPU: off the event loop.
        png = await asyncio.to_thread(render_chart, view.chart)
        await update.effective_message.reply_photo(png, caption=view.caption)


@guarded(Capability.USE_BOT)
async def mystats_command(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    assert update.effective_message is not None
    text = await my_progress(
        session=session,
        viewer=viewer,
        now=datetime.now(UTC),
        tz=context.bot_data.settings.tz,
        duties=context.bot_data.duties_config,
    )
    await update.effective_message.reply_html(text)


def register(app: GridApplication) -> None:
    app.add_handler(CommandHandler("stats", stats_command, filters=filters.ChatType.PRIVATE))
    app.add_handler(CommandHandler("mystats", mystats_command, filters=filters.ChatType.PRIVATE))
