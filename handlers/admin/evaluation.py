"""/evaluate 2026: the year's evaluation workbook and grades, [确认评定] and its second
confirmation; /funding 2026: the year's funding ledger; for admins
(services.oversight.evaluation.chat, services.oversight.funding)."""

from datetime import UTC, datetime

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import InputFile, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from handlers.access import guarded, parse_pressed, refuse
from handlers.context import GridApplication, GridContext
from handlers.conversation import PRIVATE
from handlers.keyboards import markup
from models.enums import Role
from services.access import Capability, CommandSpec, Viewer
from services.oversight.evaluation import chat
from services.oversight.evaluation.config import EvaluationConfig, load_evaluation_config
from services.oversight.funding import funding_ledger, funding_xlsx, ledger_lines

COMMANDS = (
    CommandSpec(
        "evaluate",
        "年度评定",
        "计算某年度各三级网格的得分、等级和建议奖励（附评定表），"
        "可[确认评定]冻结结果：/evaluate 2026。",
        Capability.VIEW_GRIDS,
        roles=frozenset({Role.ADMIN}),
    ),
    CommandSpec(
        "funding",
        "经费台账",
        "某年度各乡镇（街道）的活动经费和已确认的评定奖励（附台账）：/funding 2026。",
        Capability.VIEW_GRIDS,
        roles=frozenset({Role.ADMIN}),
    ),
)


def _config(context: GridContext) -> EvaluationConfig:
    target = context.bot_data.duties_config.education.yearly_target_hours
    return load_evaluation_config(yearly_target_hours=target)


async def _send_workbook(update: Update, context: GridContext, year: int, data: bytes) -> None:
    assert update.effective_chat is not None
    await context.bot.send_document(
        update.effective_chat.id, InputFile(data, filename=f"网格绩效评定_{year}.xlsx")
    )


@guarded(Capability.VIEW_GRIDS)
async def evaluate_command(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    message = update.effective_message
    assert message is not None
    if not chat.may_evaluate(viewer):
        await message.reply_html(chat.NOT_ALLOWED)
        return
    year = chat.parse_year(" ".join(context.args or []))
    if year is None:
        await message.reply_html(chat.USAGE)
        return
    shown = await chat.show_year(
        session=session, year=year, config=_config(context), tz=context.bot_data.settings.tz
    )
    await _send_workbook(update, context, year, shown.workbook)
    await message.reply_html(shown.text, reply_markup=markup(shown.keyboard))


@guarded(Capability.VIEW_GRIDS)
async def confirm_pressed(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    query = update.callback_query
    assert query is not None
    pressed = await parse_pressed(update, chat.EvaluationConfirm)
    if pressed is None:
        return
    if not chat.may_evaluate(viewer):
        await refuse(update, chat.NOT_ALLOWED)
        return
    assert update.effective_chat is not None
    if not pressed.freeze:
        text, keyboard = chat.freeze_question(pressed.year)
        await query.answer()
        await context.bot.send_message(
            update.effective_chat.id, text, parse_mode="HTML", reply_markup=markup(keyboard)
        )
        return
    result = await chat.freeze_year(
        session=session,
        viewer=viewer,
        year=pressed.year,
        config=_config(context),
        now=datetime.now(UTC),
        tz=context.bot_data.settings.tz,
    )
    if isinstance(result, str):
        await session.rollback()
        await refuse(update, result)
        return
    await session.commit()
    await query.answer()
    await query.edit_message_reply_markup(None)
    await context.bot.send_message(update.effective_chat.id, result.text, parse_mode="HTML")
    await _send_workbook(update, context, pressed.year, result.workbook)


@guarded(Capability.VIEW_GRIDS)
async def funding_command(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    message = update.effective_message
    assert message is not None
    if not chat.may_evaluate(viewer):
        await message.reply_html(chat.FUNDING_NOT_ALLOWED)
        return
    year = chat.parse_year(" ".join(context.args or []))
    if year is None:
        await message.reply_html(chat.FUNDING_USAGE)
        return
    ledger = await funding_ledger(
        session=session, year=year, config=_config(context), tz=context.bot_data.settings.tz
    )
    await message.reply_document(
        InputFile(funding_xlsx(ledger), filename=f"网格经费台账_{year}.xlsx"),
        caption="\n".join(ledger_lines(ledger))[:1024],
    )


def register(app: GridApplication) -> None:
    app.add_handler(CommandHandler("evaluate", evaluate_command, filters=PRIVATE))
    app.add_handler(CommandHandler("funding", funding_command, filters=PRIVATE))
    app.add_handler(CallbackQueryHandler(confirm_pressed, pattern=chat.EvaluationConfirm.pattern()))
