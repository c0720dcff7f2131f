"""The one path of every update: `guarded` (commands, buttons) and `guarded_step` (steps of
guided conversations) open the update's one session, load its one viewer with `admit`, and
refuse politely when the sender is unbound or lacks the capability; `visited` does the same
for the few updates an unbound user may send.
"""

import functools
import logging
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Update
from telegram.ext import ConversationHandler

from core.callback import CallbackData
from handlers.context import GridContext
from handlers.menus import refresh_menu
from services import texts as shared_texts
from services.access import Capability, Viewer
from services.onboarding import load_viewer

log = logging.getLogger(__name__)

C = TypeVar("C", bound=CallbackData)


GuardedCallback = Callable[[Update, GridContext, Viewer, AsyncSession], Coroutine[Any, Any, None]]
PlainCallback = Callable[[Update, GridContext], Coroutine[Any, Any, None]]
StepCallback = Callable[[Update, GridContext, Viewer, AsyncSession], Coroutine[Any, Any, object]]
PlainStep = Callable[[Update, GridContext], Coroutine[Any, Any, object]]


async def admit(
    update: Update, context: GridContext, session: AsyncSession, capability: Capability
) -> Viewer | None:
    """The one check of every update: the bound person behind it, loaded from the database
    (never from callback data or cached roles), if they may use `capability`; otherwise the
    user is told why and None is returned."""
    user = update.effective_user
    viewer = (
        await load_viewer(session=session, telegram_user_id=user.id) if user is not None else None
    )
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
        return None
    if not viewer.can(capability):
        log.info("refused %s to person %s", capability, viewer.person_id)
        await refuse(update, shared_texts.FORBIDDEN)
        return None
    return viewer


VisitCallback = Callable[
    [Update, GridContext, Viewer | None, AsyncSession], Coroutine[Any, Any, None]
]


def visited(callback: VisitCallback) -> PlainCallback:
    """For updates an unbound user may normally send (/start, /help, inline queries, text no
    feature took): the callback gets the update's one session and its viewer, None when the
    sender is not bound; what to say to them is the callback's to decide."""

    @functools.wraps(callback)
    async def wrapper(update: Update, context: GridContext) -> None:
        user = update.effective_user
        if user is None:
            return
        async with context.bot_data.sessions() as session:
            viewer = await load_viewer(session=session, telegram_user_id=user.id)
            await callback(update, context, viewer, session)

    return wrapper


def guarded(capability: Capability) -> Callable[[GuardedCallback], PlainCallback]:
    """Run the callback only for a bound person who has `capability`.

    The callback gets the viewer and the update's one database session (commit on it what the
    update changes).
    """

    def decorate(callback: GuardedCallback) -> PlainCallback:
        @functools.wraps(callback)
        async def wrapper(update: Update, context: GridContext) -> None:
            if update.effective_user is None:
                return
            async with context.bot_data.sessions() as session:
                viewer = await admit(update, context, session, capability)
                if viewer is not None:
                    await callback(update, context, viewer, session)

        return wrapper

    return decorate


def guarded_step(capability: Capability) -> Callable[[StepCallback], PlainStep]:
    """`guarded` for a step of a guided conversation, which returns the conversation's next
    state: a refused user ends the conversation (ConversationHandler.END)."""

    def decorate(callback: StepCallback) -> PlainStep:
        @functools.wraps(callback)
        async def wrapper(update: Update, context: GridContext) -> object:
            async with context.bot_data.sessions() as session:
                viewer = await admit(update, context, session, capability)
                if viewer is None:
                    return ConversationHandler.END
                return await callback(update, context, viewer, session)

        return wrapper

    return decorate


async def parse_pressed(update: Update, family: type[C]) -> C | None:
    """The pressed button's payload if it is one of `family`; otherwise (forged, stale, from an
    older version of the bot) the user is told the button no longer works and None returned."""
    query = update.callback_query
    found = family.parse(query.data) if query is not None else None
    if found is None:
        await refuse(update, shared_texts.STALE_BUTTON)
    return found


async def refuse(update: Update, text: str) -> None:
    """Tell the user no: as an alert for a button press, as a message otherwise."""
    if update.callback_query is not None:
        # Alerts are limited to 200 characters; the refusal texts for buttons are short.
        await update.callback_query.answer(text[:200], show_alert=True)
    elif update.effective_message is not None:
        await update.effective_message.reply_html(text)
