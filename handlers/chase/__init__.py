"""催报 in Telegram: a list sent as a document (staff only), its preview and [确认催报], the
statistician's receipts and [需要帮助], and the /chase board with [再提醒].

Callback data names only ids; every press is re-checked: confirmations against the sender,
receipts against the item's statistician, reminders against the viewer's scope.
"""

from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from handlers.chase import board, importing, receipts
from handlers.context import GridApplication
from handlers.conversation import PRIVATE
from services.access import Capability, CommandSpec
from services.chase.buttons import ChaseConfirm, ChaseDone, ChaseLedger, ChaseRemind

COMMANDS = (
    CommandSpec(
        "chase",
        "催报进度",
        "查看管辖范围内各网格的催报进度（待处理、已申报完成、已销号、异常），"
        "可[再提醒]统计员；把联网直报平台导出的未报/审核未通过名单（.xlsx/.csv）发给我即可导入催报。",
        Capability.VIEW_GRIDS,
    ),
)

# .xls too, to be told to save it as .xlsx.
LIST_FILES = PRIVATE & (
    filters.Document.FileExtension("xlsx")
    | filters.Document.FileExtension("csv")
    | filters.Document.FileExtension("xls")
)


def register(app: GridApplication) -> None:
    app.add_handler(MessageHandler(LIST_FILES, importing.document_sent))
    app.add_handler(CallbackQueryHandler(importing.confirm_pressed, pattern=ChaseConfirm.pattern()))
    app.add_handler(CallbackQueryHandler(receipts.done_pressed, pattern=ChaseDone.pattern()))
    app.add_handler(CommandHandler("chase", board.chase_command, filters=PRIVATE))
    app.add_handler(CallbackQueryHandler(board.remind_pressed, pattern=ChaseRemind.pattern()))
    app.add_handler(CallbackQueryHandler(board.ledger_pressed, pattern=ChaseLedger.pattern()))
