"""/settings: a person's own choices; for now the weekly 法治小贴士 on or off."""

import re

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, filters

from handlers.access import guarded
from handlers.context import GridApplication, GridContext
from models.preferences import law_tip_opt_out, set_law_tip_opt_out
from models.tables import utcnow
from services import texts as shared_texts
from services.access import Capability, CommandSpec, Viewer
from services.preferences import texts

COMMANDS = (
    CommandSpec(
        "settings",
        "个人设置",
        "个人设置：开启或关闭每周法治小贴士。",
        Capability.USE_BOT,
    ),
)

# The button names the state it sets (not "toggle"), so a double press or a replayed old
# button cannot flip the setting back; it only ever changes the presser's own setting.
LAW_TIP_CALLBACK = re.compile(r"^set:lawtip:(on|off)$")


def settings_markup(*, opted_out: bool) -> InlineKeyboardMarkup:
    label = texts.SETTINGS_LAW_TIP_OFF if opted_out else texts.SETTINGS_LAW_TIP_ON
    data = "set:lawtip:on" if opted_out else "set:lawtip:off"
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data)]])


@guarded(Capability.USE_BOT)
async def settings_command(
    update: Update, _context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    assert update.effective_message is not None
    opted_out = await law_tip_opt_out(session=session, person_id=viewer.person_id)
    await update.effective_message.reply_html(
        texts.SETTINGS_HEADING, reply_markup=settings_markup(opted_out=opted_out)
    )


@guarded(Capability.USE_BOT)
async def law_tip_pressed(
    update: Update, _context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    query = update.callback_query
    assert query is not None
    match = LAW_TIP_CALLBACK.fullmatch(query.data or "")
    if match is None:
        await query.answer(shared_texts.STALE_BUTTON, show_alert=True)
        return
    opt_out = match[1] == "off"
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
        reply_markup=settings_markup(opted_out=opt_out),
    )


def register(app: GridApplication) -> None:
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("settings", settings_command, filters=private))
    app.add_handler(CallbackQueryHandler(law_tip_pressed, pattern=r"^set:lawtip:"))
