"""/poster 乡镇: the printable join poster (QR code of t.me/<bot>?start=join), for admins."""

import asyncio

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import InputFile, Update
from telegram.ext import CommandHandler

from core.formatting import esc
from handlers.access import guarded
from handlers.context import GridApplication, GridContext
from handlers.conversation import PRIVATE
from models.enums import Role
from models.grids import towns
from services.access import Capability, CommandSpec, Viewer
from services.onboarding import texts
from services.onboarding.poster import poster_png

COMMANDS = (
    CommandSpec(
        "poster",
        "绑定海报",
        "生成某乡镇（街道）可打印的扫码绑定海报：/poster 虹桥镇。",
        Capability.VIEW_GRIDS,
        roles=frozenset({Role.ADMIN}),
    ),
)


@guarded(Capability.VIEW_GRIDS)
async def poster_command(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    message = update.effective_message
    assert message is not None
    if Role.ADMIN not in viewer.roles:
        await message.reply_html(texts.POSTER_NOT_ALLOWED)
        return
    ids = {t.name: t.id for t in await towns(session=session) if t.id is not None}
    names = list(ids)
    town = " ".join(context.args or []).strip()
    if town not in ids:
        await message.reply_html(texts.POSTER_USAGE.format(towns=esc("、".join(names))))
        return
    data = await asyncio.to_thread(
        poster_png,
        town=town,
        town_id=ids[town],
        bot_username=context.bot.username,
        city=context.bot_data.settings.city_name,
    )
    await message.reply_document(
        InputFile(data, filename=f"绑定海报_{town}.png"), caption=texts.POSTER_CAPTION
    )


def register(app: GridApplication) -> None:
    app.add_handler(CommandHandler("poster", poster_command, filters=PRIVATE))
