"""Binding by phone: /start asks an unbound user for their number with the one-tap
request_contact button; the contact they share binds them (services.onboarding.phone)."""

import logging
from datetime import UTC, datetime

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import KeyboardButton, Message, ReplyKeyboardMarkup, ReplyKeyboardRemove, Update
from telegram.ext import MessageHandler, filters

from handlers.access import visited
from handlers.context import GridApplication, GridContext
from handlers.menus import refresh_menu
from handlers.welcome import render_welcome
from services.access import Viewer
from services.limits import Action, refusal, rule
from services.onboarding import load_viewer, texts
from services.onboarding.phone import PhoneOutcome, SharedContact, bind_by_phone, mask

log = logging.getLogger(__name__)

# /start (handlers.onboarding) is the command that asks; a contact is not a command.
COMMANDS = ()


def share_keyboard() -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        [[KeyboardButton(texts.SHARE_PHONE_BUTTON, request_contact=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


async def ask_for_phone(message: Message) -> None:
    await message.reply_html(texts.ASK_PHONE, reply_markup=share_keyboard())


@visited
async def contact_shared(
    update: Update, context: GridContext, viewer: Viewer | None, session: AsyncSession
) -> None:
    user, message = update.effective_user, update.effective_message
    if user is None or message is None or message.contact is None:
        return
    removed = ReplyKeyboardRemove()
    if viewer is not None:
        await message.reply_html(texts.already_bound(viewer.name), reply_markup=removed)
        return
    settings = context.bot_data.settings
    if not settings.phone_binding:
        await message.reply_html(texts.PHONE_BINDING_OFF, reply_markup=removed)
        return
    contact = SharedContact(
        sender_id=user.id,
        sender_name=user.full_name,
        phone_number=message.contact.phone_number,
        contact_user_id=message.contact.user_id,
        forwarded=message.forward_origin is not None,
    )
    now = datetime.now(UTC)
    result = await bind_by_phone(
        session=session, contact=contact, rule=rule(settings, Action.PHONE), now=now
    )
    await session.commit()
    log.info("phone binding by %s: %s", user.id, result.outcome)
    masked = mask(result.number)
    if result.outcome is PhoneOutcome.BOUND:
        assert result.person is not None
        bound = await load_viewer(session=session, telegram_user_id=user.id)
        specs = context.bot_data.commands
        await refresh_menu(context.bot, chat_id=message.chat_id, specs=specs, viewer=bound)
        assert bound is not None
        greeting = render_welcome(texts.bound_greeting(result.person.name), bound, specs)
        await message.reply_html(greeting, reply_markup=removed)
        return
    if result.outcome is PhoneOutcome.ALREADY_BOUND:
        name = result.person.name if result.person is not None else ""
        await message.reply_html(texts.already_bound(name), reply_markup=removed)
    elif result.outcome is PhoneOutcome.LIMITED:
        assert result.retry_at is not None
        await message.reply_html(
            refusal(Action.PHONE, result.retry_at, now=now, tz=settings.tz), reply_markup=removed
        )
    elif result.outcome is PhoneOutcome.NOT_OWN:
        # The button is what works: keep it under the message.
        await message.reply_html(texts.PHONE_NOT_OWN, reply_markup=share_keyboard())
    else:
        failures = {
            PhoneOutcome.UNREADABLE: texts.phone_unreadable,
            PhoneOutcome.UNMATCHED: texts.phone_unmatched,
            PhoneOutcome.SEAT_TAKEN: texts.phone_seat_taken,
            PhoneOutcome.INACTIVE: texts.phone_inactive,
        }
        await message.reply_html(failures[result.outcome](masked), reply_markup=removed)


def register(app: GridApplication) -> None:
    # Contacts are personal: only in the private chat with the bot.
    app.add_handler(MessageHandler(filters.CONTACT & filters.ChatType.PRIVATE, contact_shared))
