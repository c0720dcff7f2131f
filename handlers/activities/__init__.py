"""Grid activities in the chat: /activity, /checkin, /activities and the organiser's panel."""

from datetime import timedelta

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from core.callback import CallbackData
from handlers.access import refuse
from handlers.activities import checkin, create, leave, panel
from handlers.context import GridApplication, GridContext
from handlers.conversation import PRIVATE
from services import texts as shared_texts
from services.access import Capability, CommandSpec
from services.activities.buttons import DRAFT_FAMILIES, LeavePerson, PanelButton

COMMANDS = (
    CommandSpec(
        "checkin",
        "活动签到",
        "活动签到：发送 /checkin 加现场显示的 6 位签到码，或扫描现场的签到二维码。",
        Capability.USE_BOT,
    ),
    CommandSpec(
        "activities",
        "我的网格活动",
        "查看近期的网格活动；组织者可查看签到码、签到二维码和签到情况。",
        Capability.USE_BOT,
    ),
    CommandSpec(
        "activity",
        "发起网格活动",
        "发起网格活动（学习、交流、探讨、团建等）并邀请网格成员参加。",
        Capability.ORGANISE_ACTIVITIES,
    ),
)

CONVERSATION_TIMEOUT = timedelta(minutes=15)


async def stale_button(update: Update, _context: GridContext) -> None:
    await refuse(update, shared_texts.STALE_BUTTON)


def register(app: GridApplication) -> None:
    # Conversations first: each takes only the replies of users inside it.
    app.add_handler(create.conversation_handler(CONVERSATION_TIMEOUT))
    app.add_handler(leave.conversation_handler(CONVERSATION_TIMEOUT))
    app.add_handler(checkin.conversation_handler(CONVERSATION_TIMEOUT))
    app.add_handler(CommandHandler("activities", panel.activities_command, filters=PRIVATE))
    # After the creation conversation, which takes an organiser's location for the activity.
    app.add_handler(
        MessageHandler(
            PRIVATE & filters.LOCATION & filters.UpdateType.MESSAGE, checkin.checkin_location
        )
    )
    app.add_handler(
        MessageHandler(PRIVATE & checkin.CANCEL_LOCATION, checkin.stop_location_checkin)
    )
    app.add_handler(CallbackQueryHandler(panel.panel_button, pattern=PanelButton.pattern()))
    # Buttons of a conversation that already ended (finished, cancelled or timed out).
    ended: tuple[type[CallbackData], ...] = (*DRAFT_FAMILIES, LeavePerson)
    for family in ended:
        app.add_handler(CallbackQueryHandler(stale_button, pattern=family.pattern()))
