"""/notice composes a notice (text, optional photo or document, target, preview, confirm);
[已阅] records a receipt; /notices and the status panel show the sender who has read it.

Callback data names only ids and choices; every press is re-checked on the server: targets
against the sender's scope, receipts against the notice's recipients, panels against its sender.
"""

import logging
import re
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from core.formatting import esc
from handlers.access import guarded, refuse
from handlers.context import GridApplication, GridContext
from handlers.conversation import PRIVATE, PRIVATE_TEXT, conversation, user_data
from services import notices
from services import texts as shared_texts
from services.access import Capability, CommandSpec, Viewer
from services.notices import texts

log = logging.getLogger(__name__)

COMMANDS = (
    CommandSpec(
        "notice",
        "发通知（带已阅回执）",
        "向您管辖范围内的人员发通知（可附图片或文件），收件人点「已阅」确认，您可随时查看谁未阅并提醒。",
        Capability.SEND_NOTICES,
    ),
    CommandSpec(
        "notices",
        "我发出的通知与回执",
        "查看您最近发出的通知及已阅、未阅、送达情况。",
        Capability.SEND_NOTICES,
    ),
)

TEXT, MEDIA, TARGET, AUDIENCE, CONFIRM = range(5)
END = ConversationHandler.END
TIMEOUT_SECONDS = 15 * 60

SKIP = "nt:skip"
SEND = "nt:ok"
CANCEL = "nt:no"
SCOPE_PATTERN = re.compile(r"^nt:s:([gtc]):(\d{1,10})$")
AUDIENCE_PATTERN = re.compile(r"^nt:a:([a-z]{1,12})$")
RECEIPT_PATTERN = re.compile(rf"^{notices.RECEIPT_PREFIX}(\d{{1,10}})$")
PANEL_PATTERN = re.compile(r"^np:(\d{1,10})$")
REMIND_PATTERN = re.compile(r"^nm:(\d{1,10})$")

StepCallback = Callable[[Update, GridContext, Viewer, AsyncSession], Coroutine[Any, Any, int]]
Step = Callable[[Update, GridContext], Coroutine[Any, Any, int]]


def step(callback: StepCallback) -> Step:
    """A conversation step behind `guarded`: the next state, or END if the sender was refused
    (e.g. they lost the role meanwhile)."""

    async def run(update: Update, context: GridContext) -> int:
        state = END

        @guarded(Capability.SEND_NOTICES)
        async def inner(
            update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
        ) -> None:
            nonlocal state
            state = await callback(update, context, viewer, session)

        await inner(update, context)
        return state

    run.__name__ = callback.__name__
    return run


def _now() -> datetime:
    return datetime.now(UTC)


# --- The draft, kept in the user's conversation data ----------------------------------------


def _draft(context: GridContext) -> notices.Draft | None:
    return user_data(context).get(notices.Draft)


def _keep(context: GridContext, draft: notices.Draft | None) -> None:
    if draft is None:
        user_data(context).drop(notices.Draft)
    else:
        user_data(context).keep(draft)


def _markup(rows: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(t, callback_data=d)] for t, d in rows])


async def _edit(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer()
    await query.edit_message_text(text, parse_mode="HTML", reply_markup=markup)


# --- Composing -------------------------------------------------------------------------------


@step
async def begin(update: Update, context: GridContext, viewer: Viewer, session: AsyncSession) -> int:
    assert update.effective_message is not None
    if not await notices.target_scopes(session=session, viewer=viewer):
        await update.effective_message.reply_html(texts.NOTICE_NO_TARGETS)
        return END
    _keep(context, None)
    await update.effective_message.reply_html(texts.NOTICE_ASK_TEXT)
    return TEXT


@step
async def got_text(
    update: Update, context: GridContext, _viewer: Viewer, _session: AsyncSession
) -> int:
    message = update.effective_message
    assert message is not None
    body = (message.text or "").strip()
    if not body:
        await message.reply_html(texts.NOTICE_TEXT_EMPTY)
        return TEXT
    _keep(context, notices.Draft(text=body))
    await message.reply_html(
        texts.NOTICE_ASK_MEDIA, reply_markup=_markup([(texts.NOTICE_SKIP, SKIP)])
    )
    return MEDIA


async def _ask_target(update: Update, viewer: Viewer, session: AsyncSession, *, edit: bool) -> int:
    scopes = await notices.target_scopes(session=session, viewer=viewer)
    markup = _markup([(s.label, f"nt:s:{s.key}") for s in scopes])
    if edit:
        await _edit(update, texts.NOTICE_ASK_TARGET, markup)
    else:
        assert update.effective_message is not None
        await update.effective_message.reply_html(texts.NOTICE_ASK_TARGET, reply_markup=markup)
    return TARGET


@step
async def got_media(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> int:
    message = update.effective_message
    draft = _draft(context)
    assert message is not None
    if draft is None:
        await message.reply_html(texts.NOTICE_STALE)
        return END
    if message.photo:
        kind, file_id = "photo", message.photo[-1].file_id
    elif message.document is not None:
        kind, file_id = "document", message.document.file_id
    else:
        await message.reply_html(
            texts.NOTICE_MEDIA_WRONG, reply_markup=_markup([(texts.NOTICE_SKIP, SKIP)])
        )
        return MEDIA
    _keep(context, notices.Draft(text=draft.text, media_kind=kind, media_file_id=file_id))
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
    match = SCOPE_PATTERN.fullmatch(query.data or "")
    if draft is None or match is None:
        await refuse(update, texts.NOTICE_STALE)
        return TARGET if draft else END
    kind, grid_id = notices.ScopeKind(match[1]), int(match[2])
    scope = await notices.allowed_scope(session=session, viewer=viewer, kind=kind, grid_id=grid_id)
    if scope is None:
        log.info("notice target %s refused to person %s", query.data, viewer.person_id)
        await refuse(update, shared_texts.FORBIDDEN_SCOPE)
        return TARGET
    _keep(
        context,
        notices.Draft(
            text=draft.text,
            media_kind=draft.media_kind,
            media_file_id=draft.media_file_id,
            scope_kind=scope.kind,
            scope_id=scope.grid_id,
        ),
    )
    choices = [(texts.NOTICE_AUDIENCE_LABELS[a.value], f"nt:a:{a.value}") for a in notices.Audience]
    await _edit(update, texts.NOTICE_ASK_ROLE.format(scope=esc(scope.label)), _markup(choices))
    return AUDIENCE


@step
async def chose_audience(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> int:
    query, draft = update.callback_query, _draft(context)
    assert query is not None
    match = AUDIENCE_PATTERN.fullmatch(query.data or "")
    audience = next((a for a in notices.Audience if match and a.value == match[1]), None)
    if draft is None or audience is None:
        await refuse(update, texts.NOTICE_STALE)
        return AUDIENCE if draft else END
    draft = notices.Draft(
        text=draft.text,
        media_kind=draft.media_kind,
        media_file_id=draft.media_file_id,
        scope_kind=draft.scope_kind,
        scope_id=draft.scope_id,
        audience=audience,
    )
    try:
        text, reach = await notices.preview(session=session, viewer=viewer, draft=draft)
    except notices.NoticeError:
        await refuse(update, shared_texts.FORBIDDEN_SCOPE)
        return END
    if not reach.person_ids:
        await _edit(update, texts.NOTICE_EMPTY_AUDIENCE)
        return await _ask_target(update, viewer, session, edit=False)
    _keep(context, draft)
    await _edit(update, text, _markup([(texts.NOTICE_SEND, SEND), (texts.NOTICE_CANCEL, CANCEL)]))
    return CONFIRM


@step
async def confirm(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> int:
    draft = _draft(context)
    if draft is None:
        await refuse(update, texts.NOTICE_STALE)
        return END
    try:
        notice = await notices.send_notice(
            session=session, viewer=viewer, sender_name=viewer.name, draft=draft, now=_now()
        )
    except notices.NoticeError:
        await session.rollback()
        await refuse(update, shared_texts.FORBIDDEN_SCOPE)
        return END
    await session.commit()
    _keep(context, None)
    context.bot_data.outbox.wake()
    assert notice.id is not None
    log.info("notice %s sent by person %s", notice.id, viewer.person_id)
    panel = await notices.render_panel(
        session=session, notice=notice, now=_now(), tz=context.bot_data.settings.tz
    )
    await _edit(update, panel, _panel_markup(notice.id))
    return END


async def cancel(update: Update, context: GridContext) -> int:
    _keep(context, None)
    if update.callback_query is not None:
        await _edit(update, texts.NOTICE_CANCELLED)
    elif update.effective_message is not None:
        await update.effective_message.reply_html(texts.NOTICE_CANCELLED)
    return END


async def stale_in_conversation(update: Update, _context: GridContext) -> None:
    """A button of another step (or a forged one): refuse and stay where the user is."""
    await refuse(update, texts.NOTICE_STALE)


async def timed_out(update: Update, context: GridContext) -> None:
    _keep(context, None)
    if update.effective_chat is not None:
        await context.bot.send_message(update.effective_chat.id, texts.NOTICE_TIMEOUT)


# --- Receipts ----------------------------------------------------------------------------------


@guarded(Capability.USE_BOT)
async def read_button(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    query = update.callback_query
    assert query is not None
    match = RECEIPT_PATTERN.fullmatch(query.data or "")
    if match is None:
        await refuse(update, shared_texts.STALE_BUTTON)
        return
    receipt = await notices.confirm_receipt(
        session=session, notice_id=int(match[1]), person_id=viewer.person_id, now=_now()
    )
    if receipt.outcome == notices.ReceiptOutcome.NOT_RECIPIENT:
        log.info("receipt for notice %s refused to person %s", match[1], viewer.person_id)
        await refuse(update, texts.NOTICE_NOT_RECIPIENT)
        return
    await session.commit()
    assert receipt.confirmed_at is not None
    when = receipt.confirmed_at.astimezone(context.bot_data.settings.tz).strftime("%m-%d %H:%M")
    done = InlineKeyboardMarkup(
        [[InlineKeyboardButton(texts.notice_read_button(when), callback_data=query.data)]]
    )
    try:
        await query.edit_message_reply_markup(reply_markup=done)
    except BadRequest as exc:
        # Pressed again on a message that already shows the receipt.
        if "not modified" not in exc.message:
            raise
    if receipt.outcome == notices.ReceiptOutcome.ALREADY:
        await query.answer(texts.NOTICE_ALREADY_READ)
    else:
        await query.answer()


# --- The sender's panel and list ---------------------------------------------------------------


def _panel_markup(notice_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(texts.NOTICE_REFRESH, callback_data=f"np:{notice_id}"),
                InlineKeyboardButton(texts.NOTICE_REMIND, callback_data=f"nm:{notice_id}"),
            ]
        ]
    )


@guarded(Capability.SEND_NOTICES)
async def notices_command(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    assert update.effective_message is not None
    recent = await notices.recent_notices(session=session, sender_id=viewer.person_id)
    if not recent:
        await update.effective_message.reply_html(texts.NOTICE_NONE_SENT)
        return
    tz = context.bot_data.settings.tz
    lines = [texts.NOTICE_LIST_HEADING, ""]
    buttons: list[tuple[str, str]] = []
    for status in recent:
        notice = status.notice
        assert notice.id is not None
        lines.append(
            texts.notice_list_line(
                notice_id=notice.id,
                excerpt=texts.notice_excerpt(notice.text),
                sent_at=notice.created_at.astimezone(tz).strftime("%m-%d %H:%M"),
                read=status.read,
                total=status.total,
            )
        )
        buttons.append(
            (
                texts.notice_list_button(notice_id=notice.id, read=status.read, total=status.total),
                f"np:{notice.id}",
            )
        )
    await update.effective_message.reply_html("\n".join(lines), reply_markup=_markup(buttons))


@guarded(Capability.SEND_NOTICES)
async def panel_button(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    query = update.callback_query
    assert query is not None
    match = PANEL_PATTERN.fullmatch(query.data or "")
    if match is None:
        await refuse(update, shared_texts.STALE_BUTTON)
        return
    notice = await notices.followed_notice(session=session, viewer=viewer, notice_id=int(match[1]))
    if notice is None or notice.id is None:
        await refuse(update, texts.NOTICE_NOT_SENDER)
        return
    panel = await notices.render_panel(
        session=session, notice=notice, now=_now(), tz=context.bot_data.settings.tz
    )
    await query.answer()
    try:
        await query.edit_message_text(
            panel, parse_mode="HTML", reply_markup=_panel_markup(notice.id)
        )
    except BadRequest as exc:
        # Refreshed twice within the same second with nothing new.
        if "not modified" not in exc.message:
            raise


@guarded(Capability.SEND_NOTICES)
async def remind_button(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    query = update.callback_query
    assert query is not None
    match = REMIND_PATTERN.fullmatch(query.data or "")
    if match is None:
        await refuse(update, shared_texts.STALE_BUTTON)
        return
    notice = await notices.followed_notice(session=session, viewer=viewer, notice_id=int(match[1]))
    if notice is None:
        await refuse(update, texts.NOTICE_NOT_SENDER)
        return
    settings = context.bot_data.settings
    result = await notices.remind_unread(
        session=session, notice=notice, now=_now(), settings=settings
    )
    await session.commit()
    if result.next_at is not None:
        when = result.next_at.astimezone(settings.tz).strftime("%H:%M")
        await refuse(
            update,
            texts.notice_remind_too_soon(when=when, minutes=settings.notice_manual_remind_minutes),
        )
        return
    if not result.reminded:
        await refuse(update, texts.NOTICE_REMIND_NOBODY)
        return
    context.bot_data.outbox.wake()
    await query.answer(texts.notice_reminded(result.reminded), show_alert=True)


def register(app: GridApplication) -> None:
    private = PRIVATE
    notice = conversation(
        entry_points=[CommandHandler("notice", begin, filters=private)],
        states={
            TEXT: [MessageHandler(PRIVATE_TEXT, got_text)],
            MEDIA: [
                MessageHandler(
                    private
                    & (filters.PHOTO | filters.Document.ALL | filters.TEXT)
                    & ~filters.COMMAND,
                    got_media,
                ),
                CallbackQueryHandler(skip_media, pattern=f"^{SKIP}$"),
            ],
            TARGET: [CallbackQueryHandler(chose_scope, pattern=r"^nt:s:")],
            AUDIENCE: [CallbackQueryHandler(chose_audience, pattern=r"^nt:a:")],
            CONFIRM: [CallbackQueryHandler(confirm, pattern=f"^{SEND}$")],
        },
        fallbacks=[
            CommandHandler("cancel", cancel, filters=private),
            CallbackQueryHandler(cancel, pattern=f"^{CANCEL}$"),
            CallbackQueryHandler(stale_in_conversation, pattern=r"^nt:"),
        ],
        timeout=TIMEOUT_SECONDS,
        timed_out=timed_out,
        # /notice does not restart a draft in progress.
        allow_reentry=False,
        name="notice",
    )
    app.add_handler(notice)
    # Draft buttons pressed outside a conversation (an old preview, a forged press).
    app.add_handler(CallbackQueryHandler(stale_in_conversation, pattern=r"^nt:"))
    app.add_handler(CommandHandler("notices", notices_command, filters=private))
    app.add_handler(CallbackQueryHandler(read_button, pattern=rf"^{notices.RECEIPT_PREFIX}"))
    app.add_handler(CallbackQueryHandler(panel_button, pattern=r"^np:"))
    app.add_handler(CallbackQueryHandler(remind_button, pattern=r"^nm:"))
