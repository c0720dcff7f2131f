"""The instructor's side outside the conversation: /questions, [转交] and its choices,
[加入知识库]."""

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Update

from core.formatting import esc
from handlers.access import guarded, parse_pressed, refuse
from handlers.context import GridContext
from handlers.conversation import reply
from handlers.keyboards import markup
from handlers.questions.states import now
from services.access import Capability, Viewer
from services.questions import texts
from services.questions.buttons import QuestionButton, TransferTo
from services.questions.candidates import propose_candidate
from services.questions.inbox import render_inbox, waiting_for
from services.questions.rules import QuestionRefused
from services.questions.transfers import transfer_keyboard, transfer_question, transfer_targets


@guarded(Capability.ANSWER_QUESTIONS)
async def questions_command(
    update: Update, _context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    waiting = await waiting_for(session=session, viewer=viewer)
    text, buttons = render_inbox(waiting, now())
    await reply(update, text, markup(buttons))


@guarded(Capability.ANSWER_QUESTIONS)
async def transfer_pressed(
    update: Update, _context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    button = await parse_pressed(update, QuestionButton)
    if button is None:
        return
    try:
        targets = await transfer_targets(
            session=session, viewer=viewer, question_id=button.question_id
        )
    except QuestionRefused as refused:
        await refuse(update, str(refused))
        return
    assert update.callback_query is not None
    await update.callback_query.answer()
    if not targets:
        await reply(update, texts.QUESTION_TRANSFER_NOBODY)
        return
    await reply(
        update,
        texts.QUESTION_TRANSFER_CHOOSE.format(id=button.question_id),
        markup(transfer_keyboard(button.question_id, targets)),
    )


@guarded(Capability.ANSWER_QUESTIONS)
async def transfer_to_pressed(
    update: Update, context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    query = update.callback_query
    assert query is not None
    button = await parse_pressed(update, TransferTo)
    if button is None:
        return
    try:
        target = await transfer_question(
            session=session,
            viewer=viewer,
            question_id=button.question_id,
            target_id=button.person_id,
            now=now(),
        )
    except QuestionRefused as refused:
        await refuse(update, str(refused))
        return
    await session.commit()
    context.bot_data.outbox.wake()
    await query.answer()
    await query.edit_message_text(
        texts.QUESTION_TRANSFERRED.format(
            id=button.question_id, role=target.role.value, name=esc(target.name)
        ),
        parse_mode="HTML",
    )


@guarded(Capability.ANSWER_QUESTIONS)
async def add_to_kb_pressed(
    update: Update, _context: GridContext, viewer: Viewer, session: AsyncSession
) -> None:
    button = await parse_pressed(update, QuestionButton)
    if button is None:
        return
    try:
        await propose_candidate(
            session=session, viewer=viewer, question_id=button.question_id, now=now()
        )
    except QuestionRefused as refused:
        await refuse(update, str(refused))
        return
    await session.commit()
    assert update.callback_query is not None
    await update.callback_query.answer()
    await update.callback_query.edit_message_reply_markup(None)
    await reply(update, texts.CANDIDATE_CREATED)
