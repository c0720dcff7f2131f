"""Something a rate limit guards: its first step looks whether the viewer may (`count=False`),
the step that stores or sends it counts it; over the limit, refuse in Chinese with the time
they may try again (services.limits). A draft started and cancelled is never counted."""

from datetime import UTC, datetime

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Update

from handlers.access import refuse
from handlers.context import GridContext
from services.access import Viewer
from services.limits import Action, free_at, refusal, rule, take


async def over_limit(
    update: Update,
    context: GridContext,
    viewer: Viewer,
    session: AsyncSession,
    action: Action,
    *,
    answered: bool = False,
    count: bool = True,
) -> bool:
    """Count one `action` of the viewer (`count`; committed at once, so that it holds whatever
    the rest of the step does) or only look whether one more is allowed; when over the limit,
    tell them until when and return True: as an alert for a button press not `answered` yet,
    as a message otherwise."""
    settings = context.bot_data.settings
    now = datetime.now(UTC)
    check = take if count else free_at
    retry_at = await check(
        session=session, person_id=viewer.person_id, rule=rule(settings, action), now=now
    )
    if retry_at is None:
        if count:
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
