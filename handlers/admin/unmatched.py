"""/unmatched: phone numbers people tried to bind with that the roster does not know."""

from datetime import UTC, datetime

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Update
from telegram.ext import CommandHandler, filters

from handlers.access import guarded
from handlers.context import GridApplication, GridContext
from models.exports import town_names
from services.access import Capability, CommandSpec, Viewer
from services.onboarding import texts
from services.onboarding.unmatched import (
    REVIEWER_ROLES,
    may_review,
    recent_unmatched,
    render_unmatched,
)

COMMANDS = (
    CommandSpec(
        "unmatched",
        "未匹配的绑定申请",
        "查看最近用手机号绑定、但花名册中没有找到的号码，便于核对花名册。",
        Capability.VIEW_GRIDS,
        roles=REVIEWER_ROLES,
    ),
)


@guarded(Capability.VIEW_GRIDS)
async def unmatched(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    message = update.effective_message
    assert message is not None
    if not may_review(viewer):
        await message.reply_html(texts.UNMATCHED_NOT_ALLOWED)
        return
    attempts = await recent_unmatched(session=session, viewer=viewer, now=datetime.now(UTC))
    names = await town_names(session=session)
    await message.reply_html(render_unmatched(attempts, context.bot_data.settings.tz, names))


def register(app: GridApplication) -> None:
    app.add_handler(CommandHandler("unmatched", unmatched, filters=filters.ChatType.PRIVATE))
