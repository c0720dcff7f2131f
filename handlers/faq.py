"""Statistics-law questions: /faq, plain text in a private chat, and the answer buttons.

A confident hit is answered with its citations and [查看原文] buttons; a middle band offers
"您是不是想问" choices; below that the bot says it does not know and hands over to the
member's instructor.
"""

import re
from dataclasses import dataclass, field

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from core.formatting import esc
from handlers.access import guarded, refuse
from handlers.context import GridApplication, GridContext
from knowledge.base import Entry, Ref, SearchOutcome, Verdict
from services import texts as shared_texts
from services.access import Capability, CommandSpec, Viewer
from services.answers import texts
from services.profile import build_profile
from services.questions import texts as questions_texts

COMMANDS = (
    CommandSpec(
        "faq",
        "统计法律问答",
        "问统计法律问题，例如：/faq 没建统计台账会被罚吗（也可以直接发文字给我）。",
        Capability.USE_BOT,
    ),
)

ENTRY_CALLBACK = re.compile(r"^faq:(.{1,60})$")
ARTICLE_CALLBACK = re.compile(r"^art:(.{1,40}):(\d{1,3})$")
HANDOFF_CALLBACK = "ask:handoff"
# Telegram shows at most this many "查看原文" buttons under an answer before it gets cluttered.
MAX_ARTICLE_BUTTONS = 3


def article_button(ref: Ref) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        texts.FAQ_SHOW_ARTICLE.format(label=ref.label), callback_data=f"art:{ref.law}:{ref.article}"
    )


def handoff_button() -> InlineKeyboardButton:
    return InlineKeyboardButton(texts.FAQ_ASK_INSTRUCTOR, callback_data=HANDOFF_CALLBACK)


def entry_basis(entry: Entry) -> str:
    """What an answer rests on: its articles, or for an approved instructor's answer (which
    cites no law) who gave it and when it was approved, never dressed up as a citation."""
    if entry.kind == "local":
        approved = entry.approved_on.isoformat() if entry.approved_on else ""
        source = questions_texts.FAQ_LOCAL_ATTRIBUTION.format(date=approved)
        return (
            f"<b>{questions_texts.FAQ_LOCAL_SOURCE}</b>：{esc(source)}\n"
            f"{questions_texts.FAQ_LOCAL_NOTE}"
        )
    basis = "、".join(ref.label for ref in entry.refs)
    return f"<b>{texts.FAQ_BASIS}</b>：{esc(basis)}"


def render_entry(entry: Entry) -> str:
    """An answer with its citations (every answer names the articles it rests on)."""
    return f"<b>{esc(entry.title)}</b>\n\n{esc(entry.answer)}\n\n{entry_basis(entry)}"


def entry_markup(entry: Entry) -> InlineKeyboardMarkup:
    rows = [[article_button(ref)] for ref in entry.refs[:MAX_ARTICLE_BUTTONS]]
    if entry.kind == "article":
        # The answer already is the article's text.
        rows = []
    rows.append([handoff_button()])
    return InlineKeyboardMarkup(rows)


def render_outcome(outcome: SearchOutcome) -> tuple[str, InlineKeyboardMarkup]:
    text, markup = _render_verdict(outcome)
    if outcome.note:
        # E.g. the question cited a 2009 article number: say which current article answers it.
        text = f"{texts.LAW_OLD_NUMBER_NOTE}：{esc(outcome.note)}\n\n{text}"
    return text, markup


def _render_verdict(outcome: SearchOutcome) -> tuple[str, InlineKeyboardMarkup]:
    if outcome.verdict == Verdict.ANSWER:
        best = outcome.results[0].entry
        return render_entry(best), entry_markup(best)
    if outcome.verdict == Verdict.SUGGEST:
        choices = [
            [InlineKeyboardButton(result.entry.title, callback_data=f"faq:{result.entry.id}")]
            for result in outcome.results[:3]
        ]
        choices.append([handoff_button()])
        return texts.FAQ_SUGGEST, InlineKeyboardMarkup(choices)
    return texts.FAQ_ABSTAIN, InlineKeyboardMarkup([[handoff_button()]])


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
    text, markup = render_outcome(knowledge.search(question, amount=3))
    sent = await update.effective_message.reply_html(text, reply_markup=markup)
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
    match = ENTRY_CALLBACK.fullmatch(query.data or "")
    entry = context.bot_data.knowledge.entry(match.group(1)) if match else None
    if entry is None:
        await refuse(update, shared_texts.STALE_BUTTON)
        return
    await query.answer()
    assert update.effective_message is not None
    await update.effective_message.reply_html(render_entry(entry), reply_markup=entry_markup(entry))


@guarded(Capability.USE_BOT)
async def show_article(
    update: Update, context: GridContext, _viewer: Viewer, _session: AsyncSession
) -> None:
    query = update.callback_query
    assert query is not None
    match = ARTICLE_CALLBACK.fullmatch(query.data or "")
    knowledge = context.bot_data.knowledge
    article = knowledge.article(match.group(1), int(match.group(2))) if match else None
    if article is None:
        await refuse(update, shared_texts.STALE_BUTTON)
        return
    await query.answer()
    assert update.effective_message is not None
    await update.effective_message.reply_html(render_article_text(article.label, article.text))


def render_article_text(label: str, text: str) -> str:
    return f"<b>{esc(label)}</b>\n\n{esc(text)}"


async def handoff_contacts(*, session: AsyncSession, viewer: Viewer) -> str:
    """The member's grid contacts: the hand-off when no question can be filed in the chat
    (handlers.questions starts /ask from the hand-off button otherwise)."""
    profile = await build_profile(session=session, viewer=viewer)
    lines = [texts.HANDOFF_HEADING]
    for grid in profile.grid_contacts:
        for contact in grid.contacts:
            name = esc(contact.name)
            if contact.telegram_user_id is not None:
                name = f'<a href="tg://user?id={contact.telegram_user_id}">{name}</a>'
            lines.append(
                f"• {contact.role.value} {name} {contact.masked_mobile}（{esc(grid.grid_name)}）"
            )
    return "\n".join(lines) if len(lines) > 1 else texts.HANDOFF_NOBODY


def register(app: GridApplication) -> None:
    app.add_handler(CommandHandler("faq", faq_command, filters=filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(show_entry, pattern=r"^faq:"))
    app.add_handler(CallbackQueryHandler(show_article, pattern=r"^art:"))
    # HANDOFF_CALLBACK is handled by handlers.questions, which is registered above this module.
    # Plain text that no conversation claimed is a question to the knowledge base.
    app.add_handler(
        MessageHandler(filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND, plain_question)
    )
