"""/ask: the member writes a question, sees the knowledge base's closest answers, and files it
with their instructor (also from faq's [向指导员提问] and inline mode's `/start ask`)."""

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Update

from core.formatting import esc
from handlers import faq
from handlers.access import guarded_step, refuse
from handlers.context import GridContext
from handlers.conversation import reply
from handlers.keyboards import markup
from handlers.limits import over_limit
from handlers.questions.states import (
    DECIDING,
    END,
    WRITING,
    draft,
    drop_draft,
    now,
)
from knowledge.base import Verdict
from services import texts as shared_texts
from services.access import Capability, Viewer
from services.answers.contacts import handoff_contacts
from services.limits import Action
from services.questions import texts
from services.questions.filing import choose_assignee, file_question
from services.questions.limits import question_too_long
from services.questions.rules import QuestionRefused, asking_post, may_file
from services.questions.suggestions import MAX_SUGGESTIONS, render_prefilled, render_suggestions


async def _consider(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession, text: str
) -> int:
    """Show up to three knowledge-base matches before filing; file at once if none is close."""
    text = text.strip()
    if not text:
        await reply(update, texts.ASK_EMPTY)
        return WRITING
    too_long = question_too_long(text)
    if too_long is not None:
        await reply(update, too_long)
        return WRITING
    outcome = context.bot_data.knowledge.search(text, amount=MAX_SUGGESTIONS)
    if outcome.verdict == Verdict.ABSTAIN:
        return await _file(update, context, viewer, session, text)
    draft(context).text = text
    shown, buttons = render_suggestions(outcome)
    await reply(update, shown, markup(buttons))
    return DECIDING


async def _file(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession, text: str
) -> int:
    # Told as a message: [仍需提问] has answered its press already.
    if await over_limit(update, context, viewer, session, Action.QUESTION, answered=True):
        drop_draft(context)
        return END
    try:
        filed = await file_question(session=session, viewer=viewer, text=text, now=now())
    except QuestionRefused as refused:
        await session.rollback()
        await reply(update, str(refused))
        drop_draft(context)
        return END
    await session.commit()
    context.bot_data.outbox.wake()
    drop_draft(context)
    await reply(
        update,
        texts.ASK_FILED.format(
            role=filed.assignee.role.value,
            name=esc(filed.assignee.name),
            id=filed.question.id,
        ),
    )
    return END


@guarded_step(Capability.USE_BOT)
async def ask_command(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> int:
    drop_draft(context)
    if not may_file(viewer):
        await reply(update, texts.ASK_NOT_IN_GRID)
        return END
    if await over_limit(update, context, viewer, session, Action.QUESTION, count=False):
        return END
    text = " ".join(context.args or []).strip()
    if not text:
        await reply(update, texts.ASK_PROMPT)
        return WRITING
    return await _consider(update, context, viewer, session, text)


@guarded_step(Capability.USE_BOT)
async def start_ask(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> int:
    """`/start ask`: inline mode's "ask the instructor" button opens /ask."""
    drop_draft(context)
    if not may_file(viewer):
        await reply(update, texts.ASK_NOT_IN_GRID)
        return END
    if await over_limit(update, context, viewer, session, Action.QUESTION, count=False):
        return END
    await reply(update, texts.ASK_PROMPT)
    return WRITING


@guarded_step(Capability.USE_BOT)
async def handoff(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> int:
    """faq's [向指导员提问]: /ask with the question the bot could not answer filled in; the
    grid's contacts when there is nobody to file it with."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    drop_draft(context)
    post = asking_post(viewer)
    assignee = (
        await choose_assignee(session=session, grid_id=post.grid_id, exclude=viewer.person_id)
        if post is not None
        else None
    )
    if assignee is None:
        await reply(update, await handoff_contacts(session=session, viewer=viewer))
        return END
    if await over_limit(
        update, context, viewer, session, Action.QUESTION, answered=True, count=False
    ):
        return END
    missed = faq.missed_question(
        context, query.message.message_id if query.message is not None else None
    )
    if not missed:
        await reply(update, texts.ASK_PROMPT)
        return WRITING
    draft(context).text = missed
    shown, buttons = render_prefilled(missed)
    await reply(update, shown, markup(buttons))
    return DECIDING


@guarded_step(Capability.USE_BOT)
async def written(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> int:
    assert update.effective_message is not None
    return await _consider(update, context, viewer, session, update.effective_message.text or "")


@guarded_step(Capability.USE_BOT)
async def still_ask(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> int:
    query = update.callback_query
    assert query is not None
    text = draft(context).text
    if not text:
        await refuse(update, shared_texts.STALE_BUTTON)
        return END
    await query.answer()
    state = await _file(update, context, viewer, session, text)
    # Only once the question is filed (or refused): a failure before leaves the buttons.
    await query.edit_message_reply_markup(None)
    return state


@guarded_step(Capability.USE_BOT)
async def solved(
    update: Update, context: GridContext, _viewer: Viewer, _session: AsyncSession
) -> int:
    query = update.callback_query
    assert query is not None
    await query.answer()
    await query.edit_message_reply_markup(None)
    drop_draft(context)
    await reply(update, texts.ASK_SOLVED_DONE)
    return END


async def stale_choice(update: Update, _context: GridContext) -> None:
    """[仍需提问] / [已解决] after the conversation ended (timeout, /cancel, a restart)."""
    await refuse(update, texts.ASK_STALE)
