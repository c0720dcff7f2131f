"""/start: deep-link onboarding (`/start <token>`) and the welcome for everyone else."""

import logging
from datetime import UTC, datetime

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Update
from telegram.ext import CommandHandler, filters

from handlers.access import visited
from handlers.activities import checkin as activity_checkin
from handlers.context import GridApplication, GridContext
from handlers.menus import refresh_menu
from handlers.phone_binding import ask_for_phone
from handlers.welcome import render_welcome
from services import texts as shared_texts
from services.access import CommandSpec, Viewer
from services.onboarding import BindOutcome, load_viewer, redeem_invite, texts
from services.onboarding.phone import JOIN_PAYLOAD, join_town, remember_poster

log = logging.getLogger(__name__)

# Deep-link payloads that are not invitations: Telegram opens the chat with them from the
# inline-mode button ("绑定身份后使用", "没有找到可靠答案"), and the public entry of binding by
# phone (t.me/<bot>?start=join, the poster's QR code).
PLAIN_START_PAYLOADS = frozenset({"inline", "ask", JOIN_PAYLOAD})
ASK_PAYLOAD = filters.Regex(r"^/start ask$")

COMMANDS = (
    CommandSpec(
        "start", "开始 / 绑定身份", "开始使用；分享手机号或通过个人邀请链接完成身份绑定。", None
    ),
)


async def start(update: Update, context: GridContext) -> None:
    token = context.args[0] if context.args else None
    if token is not None and activity_checkin.is_checkin_payload(token):
        # An activity's check-in link (the QR shown in the room), not an invitation.
        await activity_checkin.checkin_link(update, context)
        return
    await welcome(update, context)


@visited
async def welcome(
    update: Update, context: GridContext, viewer: Viewer | None, session: AsyncSession
) -> None:
    """/start, with or without an invitation token."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    specs = context.bot_data.commands
    token = context.args[0] if context.args else None
    poster_town = join_town(token) if token is not None else None
    if token in PLAIN_START_PAYLOADS or poster_town is not None:
        token = None
    if poster_town is not None and viewer is None and context.bot_data.settings.phone_binding:
        await remember_poster(
            session=session,
            telegram_user_id=user.id,
            telegram_name=user.full_name,
            town_id=poster_town,
            now=datetime.now(UTC),
        )
        await session.commit()
    if token is None:
        first_line = texts.welcome_back(viewer.name) if viewer else ""
    else:
        result = await redeem_invite(
            session=session, token=token, telegram_user_id=user.id, now=datetime.now(UTC)
        )
        await session.commit()
        log.info("invite redemption by %s: %s", user.id, result.outcome)
        # Who they are now: the binding may have just made them someone.
        viewer = await load_viewer(session=session, telegram_user_id=user.id)
        if result.outcome == BindOutcome.BOUND:
            assert result.person is not None
            first_line = texts.bound_greeting(result.person.name)
        elif result.outcome == BindOutcome.ALREADY_BOUND:
            assert result.person is not None
            first_line = texts.already_bound(result.person.name)
        elif result.outcome == BindOutcome.ACCOUNT_TAKEN:
            assert result.person is not None
            assert result.bound_as is not None
            await message.reply_html(texts.account_taken(result.bound_as.name, result.person.name))
            return
        else:
            await message.reply_html(texts.BIND_FAILURES[result.outcome])
            return
    # The menu first, so that it already shows the new commands when the greeting arrives.
    await refresh_menu(context.bot, chat_id=message.chat_id, specs=specs, viewer=viewer)
    if viewer is None and context.bot_data.settings.phone_binding:
        await ask_for_phone(message)
    elif viewer is None:
        await message.reply_html(shared_texts.UNBOUND)
    else:
        await message.reply_html(render_welcome(first_line, viewer, specs))


def register(app: GridApplication) -> None:
    # Tokens are personal: a link opened in a group is never redeemed. `/start ask` (inline
    # mode's "ask the instructor" button) is left to handlers.questions, which opens /ask.
    app.add_handler(CommandHandler("start", start, filters=filters.ChatType.PRIVATE & ~ASK_PAYLOAD))
