"""The first step of something a rate limit guards: take the viewer's slot, or refuse in
Chinese with the time they may try again (services.limits)."""

from datetime import UTC, datetime

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Update

from handlers.access import refuse
from handlers.context import GridContext
from services.access import Viewer
from services.limits import Action, refusal, rule, take


async def over_limit(
    update: Update,
    context: GridContext,
    viewer: Viewer,
    session: AsyncSession,
    action: Action,
    *,
    answered: bool = False,
) -> bool:
    """Count one `action` of the viewer (committed at once, so that it holds whatever the rest
    of the step does); when over the limit, tell them until when and return True: as an alert
    for a button press not `answered` yet, as a message otherwise."""
    settings = context.bot_data.settings
    now = datetime.now(UTC)
    retry_at = await take(
        session=session, person_id=viewer.person_id, rule=rule(settings, action), now=now
    )
    if retry_at is None:
        await session.commit()
        return False
    await session.rollback()
    text = refusal(action, retry_at, now=now, tz=settings.tz)
    if update.callback_query is not None and not answered:
        await refuse(update, text)
    else:
        assert update.effective_chat is not None
        await context.bot.send_message(update.effective_chat.id, text, parse_mode="HTML")
    return True
