"""Inline mode: `@bot 台账` in any chat offers cited answers to share."""

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import (
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    Update,
)
from telegram.constants import ParseMode
from telegram.ext import InlineQueryHandler

from handlers.access import visited
from handlers.context import GridApplication, GridContext
from knowledge.base import Verdict
from services.access import CommandSpec, Viewer
from services.answers import texts
from services.answers.render import render_entry

COMMANDS: tuple[CommandSpec, ...] = ()

MAX_RESULTS = 5
# Answers depend on the knowledge base only, but the bind check is per user.
CACHE_SECONDS = 60
DESCRIPTION_LENGTH = 60


# Not `guarded`: an inline query has no chat to refuse in; the refusal is the answer's button
# that opens the bot to bind.
@visited
async def inline_query(
    update: Update, context: GridContext, viewer: Viewer | None, _session: AsyncSession
) -> None:
    query = update.inline_query
    if query is None:
        return
    if viewer is None:
        await query.answer(
            [],
            cache_time=0,
            is_personal=True,
            button=InlineQueryResultsButton(texts.INLINE_BIND_FIRST, start_parameter="inline"),
        )
        return
    text = query.query.strip()
    if not text:
        await query.answer([], cache_time=CACHE_SECONDS, is_personal=True)
        return
    outcome = context.bot_data.knowledge.search(text, amount=MAX_RESULTS)
    if outcome.verdict == Verdict.ABSTAIN:
        await query.answer(
            [],
            cache_time=CACHE_SECONDS,
            is_personal=True,
            button=InlineQueryResultsButton(texts.INLINE_NO_ANSWER, start_parameter="ask"),
        )
        return
    results = [
        InlineQueryResultArticle(
            id=f"{index}",
            title=result.entry.title,
            description=result.entry.answer[:DESCRIPTION_LENGTH],
            input_message_content=InputTextMessageContent(
                render_entry(result.entry), parse_mode=ParseMode.HTML
            ),
        )
        for index, result in enumerate(outcome.results)
    ]
    await query.answer(results, cache_time=CACHE_SECONDS, is_personal=True)


def register(app: GridApplication) -> None:
    app.add_handler(InlineQueryHandler(inline_query))
