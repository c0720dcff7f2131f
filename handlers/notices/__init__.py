"""Notices in Telegram: the /notice conversation, [已阅] receipts, the sender's /notices and panel.

Callback data names only ids and choices; every press is re-checked on the server: targets
against the sender's scope, receipts against the notice's recipients, panels against its sender.
"""

from telegram.ext import CallbackQueryHandler, CommandHandler

from handlers.context import GridApplication
from handlers.conversation import PRIVATE
from handlers.notices import compose, panel, receipts
from services.access import Capability, CommandSpec
from services.notices.buttons import DRAFT_FAMILIES, NoticePanel, NoticeRead, NoticeRemind

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


def register(app: GridApplication) -> None:
    app.add_handler(compose.notice_conversation())
    # Draft buttons pressed outside a conversation (an old preview, a forged press).
    for family in DRAFT_FAMILIES:
        app.add_handler(CallbackQueryHandler(compose.stale, pattern=family.pattern()))
    app.add_handler(CommandHandler("notices", panel.notices_command, filters=PRIVATE))
    app.add_handler(CallbackQueryHandler(receipts.read_button, pattern=NoticeRead.pattern()))
    app.add_handler(CallbackQueryHandler(panel.panel_button, pattern=NoticePanel.pattern()))
    app.add_handler(CallbackQueryHandler(panel.remind_button, pattern=NoticeRemind.pattern()))
