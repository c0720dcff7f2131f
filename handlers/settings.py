"""/settings: a person's own choices; for now the weekly 法治小贴士 on or off."""

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from handlers.access import guarded
from handlers.context import GridApplication, GridContext
from handlers.keyboards import markup
from models.preferences import law_tip_opt_out, set_law_tip_opt_out
from models.tables import utcnow
from services import texts as shared_texts
from services.access import Capability, CommandSpec, Viewer
from services.preferences import texts
from services.preferences.buttons import SettingChoice, Switch, settings_keyboard

COMMANDS = (
    CommandSpec(
        "settings",
        "个人设置",
        "个人设置：开启或关闭每周法治小贴士。",
        Capability.USE_BOT,
    ),
)


@guarded(Capability.USE_BOT)
async def settings_command(
    update: Update, _context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    assert update.effective_message is not None
    opted_out = await law_tip_opt_out(session=session, person_id=viewer.person_id)
    await update.effective_message.reply_html(
        texts.SETTINGS_HEADING, reply_markup=markup(settings_keyboard(law_tip_opted_out=opted_out))
    )


@guarded(Capability.USE_BOT)
async def law_tip_pressed(
    update: Update, _context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    query = update.callback_query
    assert query is not None
    pressed = SettingChoice.parse(query.data)
    if pressed is None:
        await query.answer(shared_texts.STALE_BUTTON, show_alert=True)
        return
    opt_out = pressed.switch == Switch.OFF
    if await law_tip_opt_out(session=session, person_id=viewer.person_id) == opt_out:
        # An old button pressed again: the message already shows this state.
        await query.answer(texts.SETTINGS_UNCHANGED)
        return
    await set_law_tip_opt_out(
        session=session, person_id=viewer.person_id, opt_out=opt_out, now=utcnow()
    )
    await session.commit()
    await query.answer()
    done = texts.SETTINGS_LAW_TIP_NOW_OFF if opt_out else texts.SETTINGS_LAW_TIP_NOW_ON
    await query.edit_message_text(
        f"{texts.SETTINGS_HEADING}\n\n{done}",
        parse_mode="HTML",
        reply_markup=markup(settings_keyboard(law_tip_opted_out=opt_out)),
    )


def register(app: GridApplication) -> None:
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("settings", settings_command, filters=private))
    app.add_handler(CallbackQueryHandler(law_tip_pressed, pattern=SettingChoice.pattern()))
