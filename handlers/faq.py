"""Statistics-law questions: /faq, plain text in a private chat, and the answer buttons.

A confident hit is answered with its citations and [查看原文] buttons; a middle band offers
"您是不是想问" choices; below that the bot says it does not know and hands over to the
member's instructor (handlers.questions takes the hand-off button).
"""

from dataclasses import dataclass, field

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from handlers.access import guarded, refuse
from handlers.context import GridApplication, GridContext
from handlers.keyboards import markup
from services import texts as shared_texts
from services.access import Capability, CommandSpec, Viewer
from services.answers import texts
from services.answers.buttons import ShowArticle, ShowEntry
from services.answers.render import entry_keyboard, render_article, render_entry, render_outcome

COMMANDS = (
    CommandSpec(
        "faq",
        "统计法律问答",
        "问统计法律问题，例如：/faq 没建统计台账会被罚吗（也可以直接发文字给我）。",
        Capability.USE_BOT,
    ),
)

SEARCH_RESULTS = 3
# The questions behind recent answers, by the answer's message id: the answer's hand-off
# button opens /ask with that question filled in (handlers.questions).
REMEMBERED_QUESTIONS = 20


@dataclass
class MissedQuestions:
    """The user's recent questions, by the message id of the bot's answer (oldest first)."""

    by_answer: dict[int, str] = field(default_factory=dict)


def missed_question(context: GridContext, message_id: int | None) -> str | None:
    """The question the bot answered with message `message_id`, if still remembered."""
    remembered = context.user_data.get(MissedQuestions) if context.user_data else None
    if remembered is None or message_id is None:
        return None
    return remembered.by_answer.get(message_id)


def _remember(context: GridContext, message_id: int, question: str) -> None:
    if context.user_data is None:
        return
    remembered = context.user_data.get_or_new(MissedQuestions).by_answer
    remembered[message_id] = question
    while len(remembered) > REMEMBERED_QUESTIONS:
        del remembered[next(iter(remembered))]


async def answer_question(update: Update, context: GridContext, question: str) -> None:
    assert update.effective_message is not None
    knowledge = context.bot_data.knowledge
    text, buttons = render_outcome(knowledge.search(question, amount=SEARCH_RESULTS))
    sent = await update.effective_message.reply_html(text, reply_markup=markup(buttons))
    _remember(context, sent.message_id, question)


@guarded(Capability.USE_BOT)
async def faq_command(
    update: Update, context: GridContext, _viewer: Viewer, _session: AsyncSession
) -> None:
    assert update.effective_message is not None
    question = " ".join(context.args or []).strip()
    if not question:
        await update.effective_message.reply_html(texts.FAQ_USAGE)
        return
    await answer_question(update, context, question)


@guarded(Capability.USE_BOT)
async def plain_question(
    update: Update, context: GridContext, _viewer: Viewer, _session: AsyncSession
) -> None:
    assert update.effective_message is not None
    await answer_question(update, context, update.effective_message.text or "")


@guarded(Capability.USE_BOT)
async def show_entry(
    update: Update, context: GridContext, _viewer: Viewer, _session: AsyncSession
) -> None:
    query = update.callback_query
    assert query is not None
    button = ShowEntry.parse(query.data)
    entry = context.bot_data.knowledge.entry(button.entry_id) if button else None
    if entry is None:
        await refuse(update, shared_texts.STALE_BUTTON)
        return
    await query.answer()
    assert update.effective_message is not None
    await update.effective_message.reply_html(
        render_entry(entry), reply_markup=markup(entry_keyboard(entry))
    )


@guarded(Capability.USE_BOT)
async def show_article(
    update: Update, context: GridContext, _viewer: Viewer, _session: AsyncSession
) -> None:
    query = update.callback_query
    assert query is not None
    button = ShowArticle.parse(query.data)
    article = context.bot_data.knowledge.article(button.law, button.article) if button else None
    if article is None:
        await refuse(update, shared_texts.STALE_BUTTON)
        return
    await query.answer()
    assert update.effective_message is not None
    await update.effective_message.reply_html(render_article(article.label, article.text))


def register(app: GridApplication) -> None:
    app.add_handler(CommandHandler("faq", faq_command, filters=filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(show_entry, pattern=ShowEntry.pattern()))
    app.add_handler(CallbackQueryHandler(show_article, pattern=ShowArticle.pattern()))
    # The hand-off button (AskButton) is handled by handlers.questions, registered above.
    # Plain text that no conversation claimed is a question to the knowledge base.
    app.add_handler(
        MessageHandler(filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND, plain_question)
    )
