"""The Telegram side of access control: command specs and the `guarded` adapter.

Each handler declares the capability it admits; `guarded` loads the viewer from the
database for every update (never trusting callback data or cached roles) and refuses
politely when the sender is unbound or lacks the capability.
"""

import functools
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Update

from handlers.context import GridContext
from handlers.menus import refresh_menu
from services import texts as shared_texts
from services.access import Capability, Viewer
from services.onboarding import load_viewer

log = logging.getLogger(__name__)


GuardedCallback = Callable[[Update, GridContext, Viewer, AsyncSession], Coroutine[Any, Any, None]]
PlainCallback = Callable[[Update, GridContext], Coroutine[Any, Any, None]]


def guarded(capability: Capability) -> Callable[[GuardedCallback], PlainCallback]:
    """Run the callback only for a bound person who has `capability`.

    The callback gets the viewer and the update's one short database session.
    """

    def decorate(callback: GuardedCallback) -> PlainCallback:
        @functools.wraps(callback)
        async def wrapper(update: Update, context: GridContext) -> None:
            user = update.effective_user
            if user is None:
                return
            async with context.bot_data.sessions() as session:
                viewer = await load_viewer(session=session, telegram_user_id=user.id)
                if viewer is None:
                    if update.effective_chat is not None:
                        # E.g. a binding ended by `gridbot people rebind`: drop the stale menu.
                        await refresh_menu(
                            context.bot,
                            chat_id=update.effective_chat.id,
                            specs=context.bot_data.commands,
                            viewer=None,
                        )
                    await refuse(update, shared_texts.NOT_BOUND_FOR_COMMAND)
                    return
                if not viewer.can(capability):
                    log.info("refused %s to person %s", capability, viewer.person_id)
                    await refuse(update, shared_texts.FORBIDDEN)
                    return
                await callback(update, context, viewer, session)

        return wrapper

    return decorate


async def refuse(update: Update, text: str) -> None:
    """Tell the user no: as an alert for a button press, as a message otherwise."""
    if update.callback_query is not None:
        # Alerts are limited to 200 characters; the refusal texts for buttons are short.
        await update.callback_query.answer(text[:200], show_alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_html(text)
