"""/law: look up an article by law and number (Chinese or Arabic numerals, old numbers too)."""

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Update
from telegram.ext import CommandHandler, filters

from core.formatting import esc
from handlers.access import guarded
from handlers.context import GridApplication, GridContext
from services.access import Capability, CommandSpec, Viewer
from services.answers import texts
from services.answers.render import render_article, with_note

COMMANDS = (
    CommandSpec(
        "law",
        "查法律条文",
        "按条号查看法律原文，例如：/law 统计法 第四十四条、/law 条例 17。",
        Capability.USE_BOT,
    ),
)


@guarded(Capability.USE_BOT)
async def law_command(
    update: Update, context: GridContext, _viewer: Viewer, _session: AsyncSession
) -> None:
    message = update.effective_message
    assert message is not None
    wanted = " ".join(context.args or []).strip()
    if not wanted:
        await message.reply_html(texts.LAW_USAGE)
        return
    found = context.bot_data.knowledge.lookup(wanted)
    if found.article is None:
        await message.reply_html(f"{esc(found.error or '')}\n\n{texts.LAW_USAGE}")
        return
    text = render_article(found.article.label, found.article.text)
    await message.reply_html(with_note(text, found.note) if found.note else text)


def register(app: GridApplication) -> None:
    app.add_handler(CommandHandler("law", law_command, filters=filters.ChatType.PRIVATE))
