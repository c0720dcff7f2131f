"""/activity: the guided conversation in which an organiser publishes an activity."""

import logging
from datetime import UTC, datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import InlineKeyboardMarkup, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from handlers.access import guarded_step, parse_pressed, refuse
from handlers.context import GridContext
from handlers.conversation import PRIVATE, PRIVATE_TEXT, DraftEnd, conversation, reply, user_data
from handlers.keyboards import markup
from services import texts as shared_texts
from services.access import Capability, Viewer
from services.activities import texts
from services.activities.buttons import (
    ChooseKind,
    Decline,
    GridsChosen,
    Publish,
    SkipLocation,
    ToggleGrid,
)
from services.activities.parsing import (
    PLACE_MAX,
    TITLE_MAX,
    WindowError,
    clean_text,
    parse_window,
    too_long_by,
)
from services.activities.publish import (
    ActivityDraft,
    PublishError,
    grid_keyboard,
    kind_keyboard,
    organiser_grid_ids,
    organiser_grids,
    preview,
    publish_activity,
    skip_location_keyboard,
)

log = logging.getLogger(__name__)

# Dropping the draft: /cancel, the preview's [取消], silence.
ENDS = DraftEnd(
    ActivityDraft, cancelled_text=texts.ACT_CANCELLED, timed_out_text=texts.ACT_TIMED_OUT
)
KIND, TITLE, WINDOW, PLACE, LOCATION, GRIDS, CONFIRM = range(7)


def _draft(context: GridContext) -> ActivityDraft:
    return user_data(context).get_or_new(ActivityDraft)


@guarded_step(Capability.ORGANISE_ACTIVITIES)
async def new_activity(
    update: Update, context: GridContext, viewer: Viewer, _session: AsyncSession
) -> int:
    if not organiser_grid_ids(viewer):
        await reply(update, texts.ACT_NOT_ORGANISER_GRIDS)
        return ConversationHandler.END
    user_data(context).keep(ActivityDraft())
    await reply(update, texts.ACT_KIND_PROMPT, markup(kind_keyboard()))
    return KIND


async def chose_kind(update: Update, context: GridContext) -> int:
    query = update.callback_query
    assert query is not None
    pressed = await parse_pressed(update, ChooseKind)
    if pressed is None:
        return KIND
    _draft(context).kind = pressed.kind
    await query.answer()
    await query.edit_message_text(f"活动类型：{pressed.kind.value}")
    await reply(update, texts.ACT_TITLE_PROMPT)
    return TITLE


def _refusal(typed: str, limit: int, empty: str, too_long: str) -> str:
    """Why a title or place was refused: empty, or by how much too long."""
    over = too_long_by(typed, limit)
    return too_long.format(length=limit + over, over=over) if over else empty


async def got_title(update: Update, context: GridContext) -> int:
    assert update.effective_message is not None
    typed = update.effective_message.text or ""
    title = clean_text(typed, TITLE_MAX)
    if title is None:
        await reply(
            update, _refusal(typed, TITLE_MAX, texts.ACT_TITLE_BAD, texts.ACT_TITLE_TOO_LONG)
        )
        return TITLE
    _draft(context).title = title
    await reply(update, texts.ACT_WINDOW_PROMPT)
    return WINDOW


async def got_window(update: Update, context: GridContext) -> int:
    assert update.effective_message is not None
    try:
        starts, ends = parse_window(
            update.effective_message.text or "",
            now=datetime.now(UTC),
            tz=context.bot_data.settings.tz,
        )
    except WindowError as error:
        await reply(update, texts.ACT_WINDOW_ERRORS[error.problem.value])
        return WINDOW
    draft = _draft(context)
    draft.starts_at, draft.ends_at = starts, ends
    await reply(update, texts.ACT_PLACE_PROMPT)
    return PLACE


async def got_place(update: Update, context: GridContext) -> int:
    assert update.effective_message is not None
    typed = update.effective_message.text or ""
    place = clean_text(typed, PLACE_MAX)
    if place is None:
        await reply(
            update, _refusal(typed, PLACE_MAX, texts.ACT_PLACE_BAD, texts.ACT_PLACE_TOO_LONG)
        )
        return PLACE
    _draft(context).place = place
    await reply(update, texts.ACT_LOCATION_PROMPT, markup(skip_location_keyboard()))
    return LOCATION


@guarded_step(Capability.ORGANISE_ACTIVITIES)
async def got_location(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> int:
    message = update.effective_message
    assert message is not None
    assert message.location is not None
    draft = _draft(context)
    draft.latitude, draft.longitude = message.location.latitude, message.location.longitude
    await reply(update, texts.ACT_LOCATION_SAVED)
    return await _ask_grids(update, context, viewer, session)


@guarded_step(Capability.ORGANISE_ACTIVITIES)
async def skipped_location(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> int:
    query = update.callback_query
    assert query is not None
    await query.answer()
    await query.edit_message_reply_markup(None)
    return await _ask_grids(update, context, viewer, session)


async def location_or_skip(update: Update, _context: GridContext) -> int:
    await reply(update, texts.ACT_LOCATION_OR_SKIP)
    return LOCATION


async def _grids_markup(
    context: GridContext, viewer: Viewer, session: AsyncSession
) -> InlineKeyboardMarkup | None:
    grids = await organiser_grids(session=session, viewer=viewer)
    return markup(grid_keyboard(grids, _draft(context).grid_ids))


async def _ask_grids(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> int:
    await reply(update, texts.ACT_GRIDS_PROMPT, await _grids_markup(context, viewer, session))
    return GRIDS


@guarded_step(Capability.ORGANISE_ACTIVITIES)
async def toggled_grid(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> int:
    query = update.callback_query
    assert query is not None
    pressed = await parse_pressed(update, ToggleGrid)
    if pressed is None:
        return GRIDS
    if pressed.grid_id not in organiser_grid_ids(viewer):
        await refuse(update, shared_texts.FORBIDDEN_SCOPE)
        return GRIDS
    _draft(context).toggle_grid(pressed.grid_id)
    await query.answer()
    await query.edit_message_reply_markup(await _grids_markup(context, viewer, session))
    return GRIDS


@guarded_step(Capability.ORGANISE_ACTIVITIES)
async def grids_done(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> int:
    query = update.callback_query
    assert query is not None
    draft = _draft(context)
    if not draft.grid_ids:
        await refuse(update, texts.ACT_GRIDS_NONE_CHOSEN)
        return GRIDS
    grids = await organiser_grids(session=session, viewer=viewer)
    text, buttons = preview(draft, grids=grids, tz=context.bot_data.settings.tz)
    await query.answer()
    await query.edit_message_reply_markup(None)
    await reply(update, text, markup(buttons))
    return CONFIRM


@guarded_step(Capability.ORGANISE_ACTIVITIES)
async def confirmed(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> int:
    query = update.callback_query
    assert query is not None
    draft = user_data(context).drop(ActivityDraft) or ActivityDraft()
    try:
        published = await publish_activity(
            session=session,
            viewer=viewer,
            draft=draft,
            now=datetime.now(UTC),
            tz=context.bot_data.settings.tz,
        )
    except PublishError as error:
        await query.answer()
        await query.edit_message_text(
            texts.ACT_PUBLISH_ERRORS[error.problem.value], parse_mode="HTML"
        )
        return ConversationHandler.END
    await session.commit()
    await query.answer()
    context.bot_data.outbox.wake()
    log.info(
        "activity %s published by person %s: %s invitations",
        published.activity.id,
        published.activity.organiser_id,
        published.queued,
    )
    await query.edit_message_reply_markup(None)
    await reply(update, texts.activity_published(published.members, published.queued))
    return ConversationHandler.END


async def press_a_button(update: Update, _context: GridContext) -> None:
    await reply(update, texts.ACT_WAITING_BUTTON)


def conversation_handler(timeout: timedelta) -> ConversationHandler[GridContext]:
    return conversation(
        label="活动发布",
        restart="发送 /activity 重新开始",
        drafts=[ActivityDraft],
        entry_points=[CommandHandler("activity", new_activity, filters=PRIVATE)],
        states={
            KIND: [CallbackQueryHandler(chose_kind, pattern=ChooseKind.pattern())],
            TITLE: [MessageHandler(PRIVATE_TEXT, got_title)],
            WINDOW: [MessageHandler(PRIVATE_TEXT, got_window)],
            PLACE: [MessageHandler(PRIVATE_TEXT, got_place)],
            LOCATION: [
                MessageHandler(PRIVATE & filters.LOCATION, got_location),
                CallbackQueryHandler(skipped_location, pattern=SkipLocation.pattern()),
                MessageHandler(PRIVATE_TEXT, location_or_skip),
            ],
            GRIDS: [
                CallbackQueryHandler(toggled_grid, pattern=ToggleGrid.pattern()),
                CallbackQueryHandler(grids_done, pattern=GridsChosen.pattern()),
            ],
            CONFIRM: [
                CallbackQueryHandler(confirmed, pattern=Publish.pattern()),
                CallbackQueryHandler(ENDS.declined, pattern=Decline.pattern()),
            ],
        },
        fallbacks=[
            CommandHandler("cancel", ENDS.cancelled, filters=PRIVATE),
            MessageHandler(PRIVATE_TEXT, press_a_button),
        ],
        timeout=timeout,
        timed_out_text=ENDS.timed_out_text,
    )
