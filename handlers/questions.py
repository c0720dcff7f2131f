"""Questions to instructors: /ask (with knowledge-base suggestions first), the instructor's
[回复] [转交], the member's [追问] [已解决，关闭], /questions, [加入知识库] and /faqreview.

One ConversationHandler holds every guided step (writing a question, deciding after the
suggestions, replying, following up), so that a user is in at most one of them and a step's
text never reaches the knowledge-base search in handlers.faq. Callback data names only ids;
services.questions re-checks every press against the viewer.
"""

import logging
import re
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from core.formatting import esc
from handlers import faq
from handlers.access import guarded, refuse
from handlers.context import BotData, GridApplication, GridContext
from handlers.conversation import PRIVATE, PRIVATE_TEXT, conversation, user_data
from knowledge.base import Verdict
from services import questions
from services import texts as shared_texts
from services.access import Capability, CommandSpec, Viewer
from services.questions import texts

log = logging.getLogger(__name__)

COMMANDS = (
    CommandSpec(
        "ask",
        "向网格指导员提问",
        "向本网格的网格指导员提问，例如：/ask 研发费用怎么填报（先为您查一下知识库）。",
        Capability.USE_BOT,
    ),
    CommandSpec(
        "questions",
        "待我回复的问题",
        "列出等待您回复的网格员提问（最早的在前），点按钮即可回复。",
        Capability.ANSWER_QUESTIONS,
    ),
    CommandSpec(
        "faqreview",
        "审核知识库条目",
        "审核网格指导员提交的解答，通过后即可被知识库检索到。",
        Capability.REVIEW_FAQ,
    ),
)

WRITING, DECIDING, REPLYING, FOLLOWING = range(4)
END = ConversationHandler.END
CONVERSATION_TIMEOUT = timedelta(minutes=15)
KNOWLEDGE_INTERVAL_SECONDS = 300
KB_SUGGESTIONS = 3
ANSWER_SNIPPET = 80

FILE_DATA, SOLVED_DATA = "ask:file", "ask:solved"
QUESTION_CALLBACK = re.compile(r"^q:(reply|xfer|follow|close|kb|ok|no):(\d{1,10})$")
TRANSFER_TO_CALLBACK = re.compile(r"^q:to:(\d{1,10}):(\d{1,10})$")


@dataclass
class Draft:
    """What the conversation carries between steps (nothing is stored until the last one)."""

    text: str = ""
    question_id: int | None = None


def _draft(context: GridContext) -> Draft:
    return user_data(context).get_or_new(Draft)


def _drop_draft(context: GridContext) -> None:
    user_data(context).drop(Draft)


StepCallback = Callable[[Update, GridContext, Viewer, AsyncSession], Coroutine[Any, Any, int]]


def step(
    capability: Capability,
) -> Callable[[StepCallback], Callable[[Update, GridContext], Coroutine[Any, Any, int]]]:
    """`guarded` for conversation steps: the callback returns the next state; a refused user
    (unbound, or lacking `capability`) leaves the conversation."""

    def decorate(
        callback: StepCallback,
    ) -> Callable[[Update, GridContext], Coroutine[Any, Any, int]]:
        async def wrapper(update: Update, context: GridContext) -> int:
            state = END

            @guarded(capability)
            async def run(
                update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
            ) -> None:
                nonlocal state
                state = await callback(update, context, viewer, session)

            await run(update, context)
            return state

        return wrapper

    return decorate


def _markup(keyboard: dict[str, Any] | None) -> InlineKeyboardMarkup | None:
    return InlineKeyboardMarkup.de_json(keyboard, None) if keyboard else None


def _now() -> datetime:
    return datetime.now(UTC)


def _question_id(update: Update) -> int:
    assert update.callback_query is not None
    match = QUESTION_CALLBACK.fullmatch(update.callback_query.data or "")
    return int(match.group(2)) if match else 0


async def _say(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_html(text, reply_markup=markup)


# --- Asking -------------------------------------------------------------------------------


async def _consider(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession, text: str
) -> int:
    """Show up to three knowledge-base matches before filing; file at once if none is close."""
    text = text.strip()
    if not text:
        await _say(update, texts.ASK_EMPTY)
        return WRITING
    if len(text) > questions.MAX_QUESTION_CHARS:
        await _say(update, texts.ASK_TOO_LONG.format(limit=questions.MAX_QUESTION_CHARS))
        return WRITING
    outcome = context.bot_data.knowledge.search(text, amount=KB_SUGGESTIONS)
    if outcome.verdict == Verdict.ABSTAIN:
        return await _file(update, context, viewer, session, text)
    _draft(context).text = text
    lines = [texts.ASK_KB_HEADING]
    buttons = []
    for number, result in enumerate(outcome.results[:KB_SUGGESTIONS], start=1):
        entry = result.entry
        lines.append(
            texts.ASK_KB_ITEM.format(
                number=number,
                title=esc(entry.title),
                snippet=esc(questions.snippet(entry.answer, ANSWER_SNIPPET)),
            )
            + f"\n{faq.entry_basis(entry)}"
        )
        buttons.append(
            [
                InlineKeyboardButton(
                    texts.ASK_KB_VIEW.format(title=questions.snippet(entry.title, 30)),
                    callback_data=f"faq:{entry.id}",
                )
            ]
        )
    buttons.append(
        [
            InlineKeyboardButton(texts.ASK_SOLVED, callback_data=SOLVED_DATA),
            InlineKeyboardButton(texts.ASK_STILL, callback_data=FILE_DATA),
        ]
    )
    await _say(update, "\n\n".join(lines), InlineKeyboardMarkup(buttons))
    return DECIDING


async def _file(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession, text: str
) -> int:
    try:
        filed = await questions.file_question(session=session, viewer=viewer, text=text, now=_now())
    except questions.QuestionRefused as refused:
        await session.rollback()
        await _say(update, str(refused))
        _drop_draft(context)
        return END
    await session.commit()
    context.bot_data.outbox.wake()
    _drop_draft(context)
    await _say(
        update,
        texts.ASK_FILED.format(
            role=filed.assignee.role.value,
            name=esc(filed.assignee.name),
            id=filed.question.id,
        ),
    )
    return END


@step(Capability.USE_BOT)
async def ask_command(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> int:
    _drop_draft(context)
    if not questions.may_file(viewer):
        await _say(update, texts.ASK_NOT_IN_GRID)
        return END
    text = " ".join(context.args or []).strip()
    if not text:
        await _say(update, texts.ASK_PROMPT)
        return WRITING
    return await _consider(update, context, viewer, session, text)


@step(Capability.USE_BOT)
async def start_ask(
    update: Update, context: GridContext, viewer: Viewer, _session: AsyncSession
) -> int:
    """`/start ask`: inline mode's "ask the instructor" button opens /ask."""
    _drop_draft(context)
    if not questions.may_file(viewer):
        await _say(update, texts.ASK_NOT_IN_GRID)
        return END
    await _say(update, texts.ASK_PROMPT)
    return WRITING


@step(Capability.USE_BOT)
async def handoff(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> int:
    """faq's [向指导员提问]: /ask with the question the bot could not answer filled in; the
    grid's contacts when there is nobody to file it with."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    _drop_draft(context)
    post = questions.asking_post(viewer)
    assignee = (
        await questions.choose_assignee(
            session=session, grid_id=post.grid_id, exclude=viewer.person_id
        )
        if post is not None
        else None
    )
    if assignee is None:
        await _say(update, await faq.handoff_contacts(session=session, viewer=viewer))
        return END
    missed = faq.missed_question(
        context, query.message.message_id if query.message is not None else None
    )
    if not missed:
        await _say(update, texts.ASK_PROMPT)
        return WRITING
    _draft(context).text = missed
    await _say(
        update,
        texts.ASK_PREFILLED.format(text=esc(missed)),
        InlineKeyboardMarkup([[InlineKeyboardButton(texts.ASK_SUBMIT, callback_data=FILE_DATA)]]),
    )
    return DECIDING


@step(Capability.USE_BOT)
async def written(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> int:
    assert update.effective_message is not None
    return await _consider(update, context, viewer, session, update.effective_message.text or "")


@step(Capability.USE_BOT)
async def still_ask(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> int:
    query = update.callback_query
    assert query is not None
    text = _draft(context).text
    if not text:
        await refuse(update, shared_texts.STALE_BUTTON)
        return END
    await query.answer()
    await query.edit_message_reply_markup(None)
    return await _file(update, context, viewer, session, text)


@step(Capability.USE_BOT)
async def solved(
    update: Update, context: GridContext, _viewer: Viewer, _session: AsyncSession
) -> int:
    query = update.callback_query
    assert query is not None
    await query.answer()
    await query.edit_message_reply_markup(None)
    _drop_draft(context)
    await _say(update, texts.ASK_SOLVED_DONE)
    return END


# --- Replying and following up ------------------------------------------------------------


@step(Capability.ANSWER_QUESTIONS)
async def reply_pressed(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> int:
    try:
        question = await questions.question_for_answering(
            session=session, viewer=viewer, question_id=_question_id(update)
        )
    except questions.QuestionRefused as refused:
        await refuse(update, str(refused))
        return END
    assert update.callback_query is not None
    await update.callback_query.answer()
    draft = _draft(context)
    draft.question_id, draft.text = question.id, ""
    await _say(
        update,
        texts.QUESTION_REPLY_PROMPT.format(
            id=question.id, text=esc(questions.snippet(question.text, 300))
        ),
    )
    return REPLYING


@step(Capability.ANSWER_QUESTIONS)
async def reply_written(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> int:
    assert update.effective_message is not None
    question_id = _draft(context).question_id
    if question_id is None:
        return END
    try:
        question = await questions.record_answer(
            session=session,
            viewer=viewer,
            question_id=question_id,
            body=update.effective_message.text or "",
            now=_now(),
        )
    except questions.QuestionRefused as refused:
        await session.rollback()
        await _say(update, str(refused))
        return REPLYING if refused.retry else END
    asker = await questions.asker_name(session=session, question=question)
    await session.commit()
    context.bot_data.outbox.wake()
    _drop_draft(context)
    assert question.id is not None
    await _say(
        update,
        texts.QUESTION_REPLIED.format(asker=esc(asker)),
        InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        texts.QUESTION_ADD_TO_KB,
                        callback_data=questions.add_to_kb_data(question.id),
                    )
                ]
            ]
        ),
    )
    return END


@step(Capability.USE_BOT)
async def follow_pressed(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> int:
    try:
        question = await questions.question_for_asker(
            session=session, viewer=viewer, question_id=_question_id(update)
        )
    except questions.QuestionRefused as refused:
        await refuse(update, str(refused))
        return END
    assert update.callback_query is not None
    await update.callback_query.answer()
    draft = _draft(context)
    draft.question_id, draft.text = question.id, ""
    await _say(update, texts.QUESTION_FOLLOW_PROMPT.format(id=question.id))
    return FOLLOWING


@step(Capability.USE_BOT)
async def follow_written(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> int:
    assert update.effective_message is not None
    question_id = _draft(context).question_id
    if question_id is None:
        return END
    try:
        name = await questions.record_followup(
            session=session,
            viewer=viewer,
            question_id=question_id,
            body=update.effective_message.text or "",
            now=_now(),
        )
    except questions.QuestionRefused as refused:
        await session.rollback()
        await _say(update, str(refused))
        return FOLLOWING if refused.retry else END
    await session.commit()
    context.bot_data.outbox.wake()
    _drop_draft(context)
    await _say(update, texts.QUESTION_FOLLOWED.format(name=esc(name)))
    return END


async def stale_choice(update: Update, _context: GridContext) -> None:
    await refuse(update, texts.ASK_STALE)


async def cancel(update: Update, context: GridContext) -> int:
    _drop_draft(context)
    if update.effective_message is not None:
        await update.effective_message.reply_html(texts.ASK_CANCELLED)
    return END


async def timed_out(update: object, context: GridContext) -> None:
    _drop_draft(context)
    if isinstance(update, Update) and update.effective_chat is not None:
        await context.bot.send_message(update.effective_chat.id, texts.ASK_TIMEOUT)


# --- Buttons outside the conversation -----------------------------------------------------


@guarded(Capability.USE_BOT)
async def close_pressed(
    update: Update, _context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    try:
        question = await questions.close_question(
            session=session, viewer=viewer, question_id=_question_id(update), now=_now()
        )
    except questions.QuestionRefused as refused:
        await refuse(update, str(refused))
        return
    await session.commit()
    assert update.callback_query is not None
    await update.callback_query.answer()
    await update.callback_query.edit_message_reply_markup(None)
    await _say(update, texts.QUESTION_CLOSED.format(id=question.id))


@guarded(Capability.ANSWER_QUESTIONS)
async def transfer_pressed(
    update: Update, _context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    question_id = _question_id(update)
    try:
        targets = await questions.transfer_targets(
            session=session, viewer=viewer, question_id=question_id
        )
    except questions.QuestionRefused as refused:
        await refuse(update, str(refused))
        return
    assert update.callback_query is not None
    await update.callback_query.answer()
    if not targets:
        await _say(update, texts.QUESTION_TRANSFER_NOBODY)
        return
    buttons = [
        [
            InlineKeyboardButton(
                texts.QUESTION_TRANSFER_TARGET.format(
                    role=t.role.value, name=t.name, place=t.place
                ),
                callback_data=questions.transfer_to_data(question_id, t.person_id),
            )
        ]
        for t in targets
    ]
    await _say(
        update, texts.QUESTION_TRANSFER_CHOOSE.format(id=question_id), InlineKeyboardMarkup(buttons)
    )


@guarded(Capability.ANSWER_QUESTIONS)
async def transfer_to_pressed(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    query = update.callback_query
    assert query is not None
    match = TRANSFER_TO_CALLBACK.fullmatch(query.data or "")
    if match is None:
        await refuse(update, shared_texts.STALE_BUTTON)
        return
    question_id, target_id = int(match.group(1)), int(match.group(2))
    try:
        target = await questions.transfer_question(
            session=session,
            viewer=viewer,
            question_id=question_id,
            target_id=target_id,
            now=_now(),
        )
    except questions.QuestionRefused as refused:
        await refuse(update, str(refused))
        return
    await session.commit()
    context.bot_data.outbox.wake()
    await query.answer()
    await query.edit_message_text(
        texts.QUESTION_TRANSFERRED.format(
            id=question_id, role=target.role.value, name=esc(target.name)
        ),
        parse_mode="HTML",
    )


@guarded(Capability.ANSWER_QUESTIONS)
async def add_to_kb_pressed(
    update: Update, _context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    try:
        await questions.propose_candidate(
            session=session, viewer=viewer, question_id=_question_id(update), now=_now()
        )
    except questions.QuestionRefused as refused:
        await refuse(update, str(refused))
        return
    await session.commit()
    assert update.callback_query is not None
    await update.callback_query.answer()
    await update.callback_query.edit_message_reply_markup(None)
    await _say(update, texts.CANDIDATE_CREATED)


@guarded(Capability.ANSWER_QUESTIONS)
async def questions_command(
    update: Update, _context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    waiting = await questions.waiting_for(session=session, viewer=viewer)
    if not waiting:
        await _say(update, texts.QUESTIONS_NONE)
        return
    now = _now()
    lines = [texts.QUESTIONS_HEADING.format(count=len(waiting))]
    lines += [
        texts.QUESTIONS_LINE.format(
            id=w.id,
            asker=esc(w.asker),
            grid=esc(w.grid),
            waited=questions.waited_label(w.waiting_since, now),
            text=esc(questions.snippet(w.text)),
        )
        for w in waiting
    ]
    buttons = [
        [
            InlineKeyboardButton(
                texts.QUESTIONS_REPLY_BUTTON.format(id=w.id),
                callback_data=questions.reply_data(w.id),
            )
        ]
        for w in waiting
    ]
    await _say(update, "\n".join(lines), InlineKeyboardMarkup(buttons))


# --- Knowledge-base review ----------------------------------------------------------------


@guarded(Capability.REVIEW_FAQ)
async def faqreview_command(
    update: Update, context: GridContext, _viewer: Viewer, session: AsyncSession
) -> None:
    pending = await questions.pending_candidates(session=session)
    if not pending:
        await _say(update, texts.FAQREVIEW_NONE)
        return
    tz = context.bot_data.settings.tz
    for candidate in pending:
        await _say(
            update,
            texts.FAQREVIEW_ITEM.format(
                id=candidate.id,
                author=esc(candidate.author),
                date=candidate.created_at.astimezone(tz).date().isoformat(),
                question=esc(candidate.question),
                answer=esc(candidate.answer),
            ),
            InlineKeyboardMarkup(
                [
                    [
                        InlineKeyboardButton(
                            texts.FAQREVIEW_APPROVE,
                            callback_data=questions.review_data(candidate.id, approve=True),
                        ),
                        InlineKeyboardButton(
                            texts.FAQREVIEW_REJECT,
                            callback_data=questions.review_data(candidate.id, approve=False),
                        ),
                    ]
                ]
            ),
        )


@guarded(Capability.REVIEW_FAQ)
async def review_pressed(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    query = update.callback_query
    assert query is not None
    match = QUESTION_CALLBACK.fullmatch(query.data or "")
    assert match is not None
    approve = match.group(1) == "ok"
    try:
        await questions.review_candidate(
            session=session,
            viewer=viewer,
            candidate_id=int(match.group(2)),
            approve=approve,
            now=_now(),
        )
    except questions.QuestionRefused as refused:
        await refuse(update, str(refused))
        return
    await session.commit()
    if approve:
        await refresh_knowledge(context.bot_data)
    await query.answer()
    await query.edit_message_reply_markup(None)
    await _say(update, texts.FAQREVIEW_APPROVED if approve else texts.FAQREVIEW_REJECTED)


async def refresh_knowledge(bot_data: BotData) -> None:
    """Rebuild the search index with every approved answer (off the event loop)."""
    current = bot_data.knowledge
    async with bot_data.sessions() as session:
        rebuilt = await questions.knowledge_with_approved(
            session=session, knowledge=current, tz=bot_data.settings.tz
        )
    # Approvals are never withdrawn, so a rebuild with fewer local entries started earlier
    # and finished late: it must not replace a newer one.
    if len(rebuilt.local_entries) >= len(bot_data.knowledge.local_entries):
        bot_data.replace_knowledge(rebuilt)


# --- Answers approved elsewhere ----------------------------------------------------------


async def knowledge_job(context: GridContext) -> None:
    """Every few minutes: pick up answers another process approved for the knowledge base.
    (SLA reminders run on the duty engine's clock, bot/clock.py.)"""
    bot_data = context.bot_data
    async with bot_data.sessions() as session:
        approved = await questions.approved_count(session=session)
    if approved != len(bot_data.knowledge.local_entries):
        await refresh_knowledge(bot_data)


def register(app: GridApplication) -> None:
    asking = conversation(
        entry_points=[
            CommandHandler("ask", ask_command, filters=PRIVATE),
            CommandHandler("start", start_ask, filters=PRIVATE & filters.Regex(r"^/start ask$")),
            CallbackQueryHandler(handoff, pattern=rf"^{faq.HANDOFF_CALLBACK}$"),
            CallbackQueryHandler(reply_pressed, pattern=r"^q:reply:\d{1,10}$"),
            CallbackQueryHandler(follow_pressed, pattern=r"^q:follow:\d{1,10}$"),
        ],
        states={
            WRITING: [MessageHandler(PRIVATE_TEXT, written)],
            DECIDING: [
                CallbackQueryHandler(still_ask, pattern=rf"^{FILE_DATA}$"),
                CallbackQueryHandler(solved, pattern=rf"^{SOLVED_DATA}$"),
                MessageHandler(PRIVATE_TEXT, written),
            ],
            REPLYING: [MessageHandler(PRIVATE_TEXT, reply_written)],
            FOLLOWING: [MessageHandler(PRIVATE_TEXT, follow_written)],
        },
        fallbacks=[CommandHandler("cancel", cancel)],
        timeout=CONVERSATION_TIMEOUT,
        timed_out=timed_out,
        name="questions",
    )
    app.add_handler(asking)
    # [仍需提问] / [已解决] after the conversation ended (timeout, /cancel, a restart).
    app.add_handler(CallbackQueryHandler(stale_choice, pattern=rf"^({FILE_DATA}|{SOLVED_DATA})$"))
    app.add_handler(CallbackQueryHandler(close_pressed, pattern=r"^q:close:\d{1,10}$"))
    app.add_handler(CallbackQueryHandler(transfer_pressed, pattern=r"^q:xfer:\d{1,10}$"))
    app.add_handler(CallbackQueryHandler(transfer_to_pressed, pattern=r"^q:to:\d{1,10}:\d{1,10}$"))
    app.add_handler(CallbackQueryHandler(add_to_kb_pressed, pattern=r"^q:kb:\d{1,10}$"))
    app.add_handler(CallbackQueryHandler(review_pressed, pattern=r"^q:(ok|no):\d{1,10}$"))
    app.add_handler(CommandHandler("questions", questions_command, filters=PRIVATE))
    app.add_handler(CommandHandler("faqreview", faqreview_command, filters=PRIVATE))
    if app.job_queue is not None:
        app.job_queue.run_repeating(
            knowledge_job,
            interval=KNOWLEDGE_INTERVAL_SECONDS,
            first=KNOWLEDGE_INTERVAL_SECONDS,
            name="questions:knowledge",
            # A late or missed run changes nothing that the next one does not pick up.
            job_kwargs={"misfire_grace_time": KNOWLEDGE_INTERVAL_SECONDS, "coalesce": True},
        )
