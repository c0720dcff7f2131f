"""People coming back: a user who unblocks the bot is sent to again."""

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.ext import ChatMemberHandler

from handlers.context import GridApplication, GridContext
from models.db import transaction
from services.outbox.reachability import record_reachable

COMMANDS = ()


async def on_my_chat_member(update: Update, context: GridContext) -> None:
    """A user who had blocked the bot unblocked it: send to them again."""
    change = update.my_chat_member
    if change is None or change.chat.type != ChatType.PRIVATE:
        return
    if change.new_chat_member.status != ChatMemberStatus.MEMBER:
        # Blocking is noticed when a message bounces, which also tells the instructor.
        return
    async with transaction(context.bot_data.sessions) as session:
        await record_reachable(session=session, telegram_user_id=change.from_user.id)


def register(app: GridApplication) -> None:
    app.add_handler(ChatMemberHandler(on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER))
