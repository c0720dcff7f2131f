"""/faqreview: approving instructors' answers for the knowledge base, and keeping the search
index in step with every approval (also those made by another process)."""

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Update

from handlers.access import guarded, parse_pressed, refuse
from handlers.context import BotData, GridContext
from handlers.conversation import reply
from handlers.keyboards import markup
from handlers.questions.states import now
from services.access import Capability, Viewer
from services.questions import texts
from services.questions.buttons import ReviewCandidate, review_keyboard
from services.questions.candidates import (
    REVIEW_BATCH,
    approved_count,
    knowledge_with_approved,
    pending_candidates,
    render_candidate,
    review_candidate,
)
from services.questions.rules import QuestionRefused

KNOWLEDGE_INTERVAL_SECONDS = 300


@guarded(Capability.REVIEW_FAQ)
async def faqreview_command(
    update: Update, context: GridContext, _viewer: Viewer, session: AsyncSession
) -> None:
    pending = await pending_candidates(session=session)
    if not pending:
        await reply(update, texts.FAQREVIEW_NONE)
        return
    tz = context.bot_data.settings.tz
    for candidate in pending[:REVIEW_BATCH]:
        await reply(update, render_candidate(candidate, tz), markup(review_keyboard(candidate.id)))
    if len(pending) > REVIEW_BATCH:
        await reply(update, texts.FAQREVIEW_MORE.format(count=len(pending) - REVIEW_BATCH))


@guarded(Capability.REVIEW_FAQ)
async def review_pressed(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    query = update.callback_query
    assert query is not None
    button = await parse_pressed(update, ReviewCandidate)
    if button is None:
        return
    try:
        await review_candidate(
            session=session,
            viewer=viewer,
            candidate_id=button.candidate_id,
            approve=button.approve,
            now=now(),
        )
    except QuestionRefused as refused:
        await refuse(update, str(refused))
        return
    await session.commit()
    if button.approve:
        await refresh_knowledge(context.bot_data, session)
    await query.answer()
    await query.edit_message_reply_markup(None)
    await reply(update, texts.FAQREVIEW_APPROVED if button.approve else texts.FAQREVIEW_REJECTED)


async def refresh_knowledge(bot_data: BotData, session: AsyncSession) -> None:
    """Rebuild the search index with every approved answer (off the event loop)."""
    rebuilt = await knowledge_with_approved(
        session=session, knowledge=bot_data.knowledge, tz=bot_data.settings.tz
    )
    # Approvals are never withdrawn, so a rebuild with fewer local entries started earlier
    # and finished late: it must not replace a newer one.
    if len(rebuilt.local_entries) >= len(bot_data.knowledge.local_entries):
        bot_data.replace_knowledge(rebuilt)


async def knowledge_job(context: GridContext) -> None:
    """Every few minutes: pick up answers another process approved for the knowledge base.
    (SLA reminders run on the duty engine's clock, bot/clock.py.)"""
    bot_data = context.bot_data
    async with bot_data.sessions() as session:
        if await approved_count(session=session) != len(bot_data.knowledge.local_entries):
            await refresh_knowledge(bot_data, session)
