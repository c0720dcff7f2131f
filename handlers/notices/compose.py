"""/notice: the guided conversation that composes a notice (text, optional photo or document,
scope, audience), previews it and sends it on [确认发送]. Nothing is stored before that.

Every step loads the sender again (they may lose the role meanwhile); a chosen scope is checked
against what the sender may address, here and again when the notice is sent.
"""

import logging
import re
from dataclasses import replace
from datetime import UTC, datetime

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from core.buttons import Keyboard
from core.formatting import esc
from handlers.access import guarded_step, refuse
from handlers.context import GridContext
from handlers.conversation import PRIVATE, PRIVATE_TEXT, DraftEnd, conversation, reply, user_data
from handlers.keyboards import markup
from handlers.limits import over_limit
from services import texts as shared_texts
from services.access import Capability, Viewer
from services.limits import Action
from services.notices import texts
from services.notices.buttons import (
    DRAFT_FAMILIES,
    DraftAction,
    NoticeAudienceChoice,
    NoticeDraftAction,
    NoticeScopeChoice,
    audiences_keyboard,
    confirm_keyboard,
    panel_keyboard,
    scopes_keyboard,
    skip_keyboard,
)
from services.notices.drafts import (
    Draft,
    NoticeError,
    allowed_scope,
    body_problem,
    preview,
    target_scopes,
)
from services.notices.panel import render_panel
from services.notices.sending import send_notice

log = logging.getLogger(__name__)

TEXT, MEDIA, TARGET, AUDIENCE, CONFIRM = range(5)
END = ConversationHandler.END
TIMEOUT_SECONDS = 15 * 60

# Dropping the draft: /cancel, [取消] and silence.
ENDS = DraftEnd(Draft, cancelled_text=texts.NOTICE_CANCELLED, timed_out_text=texts.NOTICE_TIMEOUT)

step = guarded_step(Capability.SEND_NOTICES)


def _only(action: DraftAction) -> re.Pattern[str]:
    """The pattern of exactly this draft button."""
    return re.compile(rf"^{re.escape(NoticeDraftAction(action).pack())}$")


def _now() -> datetime:
    return datetime.now(UTC)


def _draft(context: GridContext) -> Draft | None:
    return user_data(context).get(Draft)


async def _edit(update: Update, text: str, keyboard: Keyboard | None = None) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()
    await query.edit_message_text(text, parse_mode="HTML", reply_markup=markup(keyboard))


@step
async def begin(update: Update, context: GridContext, viewer: Viewer, session: AsyncSession) -> int:
    if not await target_scopes(session=session, viewer=viewer):
        await reply(update, texts.NOTICE_NO_TARGETS)
        return END
    if await over_limit(update, context, viewer, session, Action.NOTICE, count=False):
        return END
    user_data(context).drop(Draft)
    await reply(update, texts.NOTICE_ASK_TEXT)
    return TEXT


@step
async def got_text(
    update: Update, context: GridContext, _viewer: Viewer, _session: AsyncSession
) -> int:
    message = update.effective_message
    assert message is not None
    body = (message.text or "").strip()
    problem = body_problem(body)
    if problem is not None:
        await reply(update, problem)
        return TEXT
    user_data(context).keep(Draft(text=body))
    await reply(update, texts.NOTICE_ASK_MEDIA, markup(skip_keyboard()))
    return MEDIA


async def _ask_target(update: Update, viewer: Viewer, session: AsyncSession, *, edit: bool) -> int:
    keyboard = scopes_keyboard(await target_scopes(session=session, viewer=viewer))
    if edit:
        await _edit(update, texts.NOTICE_ASK_TARGET, keyboard)
    else:
        await reply(update, texts.NOTICE_ASK_TARGET, markup(keyboard))
    return TARGET


@step
async def got_media(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> int:
    message = update.effective_message
    draft = _draft(context)
    assert message is not None
    if draft is None:
        await reply(update, texts.NOTICE_STALE)
        return END
    if message.photo:
        kind, file_id = "photo", message.photo[-1].file_id
    elif message.document is not None:
        kind, file_id = "document", message.document.file_id
    else:
        await reply(update, texts.NOTICE_MEDIA_WRONG, markup(skip_keyboard()))
        return MEDIA
    user_data(context).keep(replace(draft, media_kind=kind, media_file_id=file_id))
    return await _ask_target(update, viewer, session, edit=False)


@step
async def skip_media(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> int:
    if _draft(context) is None:
        await refuse(update, texts.NOTICE_STALE)
        return END
    return await _ask_target(update, viewer, session, edit=True)


@step
async def chose_scope(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> int:
    query, draft = update.callback_query, _draft(context)
    assert query is not None
    chosen = NoticeScopeChoice.parse(query.data)
    if draft is None or chosen is None:
        await refuse(update, texts.NOTICE_STALE)
        return TARGET if draft else END
    scope = await allowed_scope(
        session=session, viewer=viewer, kind=chosen.kind, grid_id=chosen.grid_id
    )
    if scope is None:
        log.info("notice target %s refused to person %s", query.data, viewer.person_id)
        await refuse(update, shared_texts.FORBIDDEN_SCOPE)
        return TARGET
    user_data(context).keep(
        replace(draft, scope_kind=scope.kind, scope_id=scope.grid_id, audience=None)
    )
    await _edit(update, texts.NOTICE_ASK_ROLE.format(scope=esc(scope.label)), audiences_keyboard())
    return AUDIENCE


@step
async def chose_audience(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> int:
    query, draft = update.callback_query, _draft(context)
    assert query is not None
    chosen = NoticeAudienceChoice.parse(query.data)
    if draft is None or chosen is None:
        await refuse(update, texts.NOTICE_STALE)
        return AUDIENCE if draft else END
    draft = replace(draft, audience=chosen.audience)
    try:
        text, reach = await preview(session=session, viewer=viewer, draft=draft)
    except NoticeError:
        await refuse(update, shared_texts.FORBIDDEN_SCOPE)
        return END
    if not reach.person_ids:
        await _edit(update, texts.NOTICE_EMPTY_AUDIENCE)
        return await _ask_target(update, viewer, session, edit=False)
    user_data(context).keep(draft)
    await _edit(update, text, confirm_keyboard())
    return CONFIRM


@step
async def confirm(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> int:
    draft = _draft(context)
    if draft is None:
        await refuse(update, texts.NOTICE_STALE)
        return END
    if await over_limit(update, context, viewer, session, Action.NOTICE):
        # The draft stays: [确认发送] works again once the time has come.
        return CONFIRM
    try:
        notice = await send_notice(
            session=session, viewer=viewer, sender_name=viewer.name, draft=draft, now=_now()
        )
    except NoticeError:
        await session.rollback()
        await refuse(update, shared_texts.FORBIDDEN_SCOPE)
        return END
    await session.commit()
    user_data(context).drop(Draft)
    context.bot_data.outbox.wake()
    assert notice.id is not None
    log.info("notice %s sent by person %s", notice.id, viewer.person_id)
    panel = await render_panel(
        session=session, notice=notice, now=_now(), tz=context.bot_data.settings.tz
    )
    await _edit(update, panel, panel_keyboard(notice.id))
    return END


async def stale(update: Update, _context: GridContext) -> None:
    """A button of another step (or a forged one): refuse and stay where the user is."""
    await refuse(update, texts.NOTICE_STALE)


def notice_conversation() -> ConversationHandler[GridContext]:
    return conversation(
        label="通知",
        restart="发送 /notice 重新开始",
        drafts=[Draft],
        entry_points=[CommandHandler("notice", begin, filters=PRIVATE)],
        states={
            TEXT: [MessageHandler(PRIVATE_TEXT, got_text)],
            MEDIA: [
                MessageHandler(
                    PRIVATE
                    & (filters.PHOTO | filters.Document.ALL | filters.TEXT)
                    & ~filters.COMMAND,
                    got_media,
                ),
                CallbackQueryHandler(skip_media, pattern=_only(DraftAction.SKIP)),
            ],
            TARGET: [CallbackQueryHandler(chose_scope, pattern=NoticeScopeChoice.pattern())],
            AUDIENCE: [
                CallbackQueryHandler(chose_audience, pattern=NoticeAudienceChoice.pattern())
            ],
            CONFIRM: [CallbackQueryHandler(confirm, pattern=_only(DraftAction.SEND))],
        },
        fallbacks=[
            CommandHandler("cancel", ENDS.cancelled, filters=PRIVATE),
            CallbackQueryHandler(ENDS.declined, pattern=_only(DraftAction.CANCEL)),
            *(CallbackQueryHandler(stale, pattern=family.pattern()) for family in DRAFT_FAMILIES),
        ],
        timeout=TIMEOUT_SECONDS,
        timed_out_text=ENDS.timed_out_text,
        # /notice does not restart a draft in progress.
        allow_reentry=False,
        name="notice",
    )
