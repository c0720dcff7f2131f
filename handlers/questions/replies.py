"""The instructor's [回复] and the asker's [追问] (conversation steps), and [已解决，关闭]."""

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Update

from core.formatting import esc
from handlers.access import guarded, guarded_step, parse_pressed, refuse
from handlers.context import GridContext
from handlers.conversation import reply
from handlers.keyboards import markup
from handlers.limits import over_limit
from handlers.questions.states import END, FOLLOWING, REPLYING, draft, drop_draft, now
from services.access import Capability, Viewer
from services.limits import Action
from services.questions import texts
from services.questions.buttons import QuestionButton, add_to_kb_keyboard
from services.questions.lookups import person_name
from services.questions.replies import (
    close_question,
    question_for_answering,
    question_for_asker,
    record_answer,
    record_followup,
)
from services.questions.rules import QuestionRefused, snippet

PROMPT_SNIPPET = 300


@guarded_step(Capability.ANSWER_QUESTIONS)
async def reply_pressed(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> int:
    button = await parse_pressed(update, QuestionButton)
    if button is None:
        return END
    try:
        question = await question_for_answering(
            session=session, viewer=viewer, question_id=button.question_id
        )
    except QuestionRefused as refused:
        await refuse(update, str(refused))
        return END
    assert update.callback_query is not None
    await update.callback_query.answer()
    current = draft(context)
    current.question_id, current.text = question.id, ""
    await reply(
        update,
        texts.QUESTION_REPLY_PROMPT.format(
            id=question.id, text=esc(snippet(question.text, PROMPT_SNIPPET))
        ),
    )
    return REPLYING


@guarded_step(Capability.ANSWER_QUESTIONS)
async def reply_written(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> int:
    assert update.effective_message is not None
    question_id = draft(context).question_id
    if question_id is None:
        return END
    try:
        question = await record_answer(
            session=session,
            viewer=viewer,
            question_id=question_id,
            body=update.effective_message.text or "",
            now=now(),
        )
    except QuestionRefused as refused:
        await session.rollback()
        await reply(update, str(refused))
        return REPLYING if refused.retry else END
    asker = await person_name(session=session, person_id=question.asker_id)
    await session.commit()
    context.bot_data.outbox.wake()
    drop_draft(context)
    assert question.id is not None
    await reply(
        update,
        texts.QUESTION_REPLIED.format(asker=esc(asker)),
        markup(add_to_kb_keyboard(question.id)),
    )
    return END


@guarded_step(Capability.USE_BOT)
async def follow_pressed(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> int:
    button = await parse_pressed(update, QuestionButton)
    if button is None:
        return END
    try:
        question = await question_for_asker(
            session=session, viewer=viewer, question_id=button.question_id
        )
    except QuestionRefused as refused:
        await refuse(update, str(refused))
        return END
    if await over_limit(update, context, viewer, session, Action.FOLLOWUP):
        return END
    assert update.callback_query is not None
    await update.callback_query.answer()
    current = draft(context)
    current.question_id, current.text = question.id, ""
    await reply(update, texts.QUESTION_FOLLOW_PROMPT.format(id=question.id))
    return FOLLOWING


@guarded_step(Capability.USE_BOT)
async def follow_written(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> int:
    assert update.effective_message is not None
    question_id = draft(context).question_id
    if question_id is None:
        return END
    try:
        name = await record_followup(
            session=session,
            viewer=viewer,
            question_id=question_id,
            body=update.effective_message.text or "",
            now=now(),
        )
    except QuestionRefused as refused:
        await session.rollback()
        await reply(update, str(refused))
        return FOLLOWING if refused.retry else END
    await session.commit()
    context.bot_data.outbox.wake()
    drop_draft(context)
    await reply(update, texts.QUESTION_FOLLOWED.format(name=esc(name)))
    return END


@guarded(Capability.USE_BOT)
async def close_pressed(
    update: Update, _context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    button = await parse_pressed(update, QuestionButton)
    if button is None:
        return
    try:
        question = await close_question(
            session=session, viewer=viewer, question_id=button.question_id, now=now()
        )
    except QuestionRefused as refused:
        await refuse(update, str(refused))
        return
    await session.commit()
    assert update.callback_query is not None
    await update.callback_query.answer()
    await update.callback_query.edit_message_reply_markup(None)
    await reply(update, texts.QUESTION_CLOSED.format(id=question.id))
