"""Questions to instructors in the chat: /ask, replies, follow-ups, hand-overs, /faqreview."""

from datetime import timedelta

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

from handlers.access import refuse
from handlers.context import GridApplication, GridContext
from handlers.conversation import PRIVATE, PRIVATE_TEXT, conversation
from handlers.questions import asking, from_chase, inbox, replies, review
from handlers.questions.states import DECIDING, DRAFT_END, FOLLOWING, REPLYING, WRITING, Draft
from services import texts as shared_texts
from services.access import Capability, CommandSpec
from services.answers.buttons import AskButton, AskStep, is_step
from services.chase.buttons import ChaseHelp
from services.questions.buttons import (
    QuestionAction,
    QuestionButton,
    ReviewCandidate,
    TransferTo,
    is_action,
)

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

CONVERSATION_TIMEOUT = timedelta(minutes=15)


async def stale_question_button(update: Update, _context: GridContext) -> None:
    """A q: payload that no handler above took: forged, or from an older version."""
    await refuse(update, shared_texts.STALE_BUTTON)


def register(app: GridApplication) -> None:
    # One ConversationHandler holds every guided step (writing a question, deciding after the
    # suggestions, replying, following up), so that a user is in at most one of them and a
    # step's text never reaches the knowledge-base search in handlers.faq. Callback data names
    # only ids; services.questions re-checks every press against the viewer.
    asking_conversation = conversation(
        label="提问或回复",
        restart="发送 /ask 重新提问（回复或追问请重新点击按钮）",
        drafts=[Draft],
        entry_points=[
            CommandHandler("ask", asking.ask_command, filters=PRIVATE),
            CommandHandler(
                "start", asking.start_ask, filters=PRIVATE & filters.Regex(r"^/start ask$")
            ),
            CallbackQueryHandler(asking.handoff, pattern=is_step(AskStep.HANDOFF)),
            CallbackQueryHandler(from_chase.chase_help, pattern=ChaseHelp.pattern()),
            CallbackQueryHandler(replies.reply_pressed, pattern=is_action(QuestionAction.REPLY)),
            CallbackQueryHandler(replies.follow_pressed, pattern=is_action(QuestionAction.FOLLOW)),
        ],
        states={
            WRITING: [MessageHandler(PRIVATE_TEXT, asking.written)],
            DECIDING: [
                CallbackQueryHandler(asking.still_ask, pattern=is_step(AskStep.FILE)),
                CallbackQueryHandler(asking.solved, pattern=is_step(AskStep.SOLVED)),
                MessageHandler(PRIVATE_TEXT, asking.written),
            ],
            REPLYING: [MessageHandler(PRIVATE_TEXT, replies.reply_written)],
            FOLLOWING: [MessageHandler(PRIVATE_TEXT, replies.follow_written)],
        },
        fallbacks=[CommandHandler("cancel", DRAFT_END.cancelled)],
        timeout=CONVERSATION_TIMEOUT,
        timed_out_text=DRAFT_END.timed_out_text,
        name="questions",
    )
    app.add_handler(asking_conversation)
    # [仍需提问] / [已解决] after the conversation ended (timeout, /cancel, a restart).
    app.add_handler(CallbackQueryHandler(asking.stale_choice, pattern=AskButton.pattern()))
    app.add_handler(
        CallbackQueryHandler(replies.close_pressed, pattern=is_action(QuestionAction.CLOSE))
    )
    app.add_handler(
        CallbackQueryHandler(inbox.transfer_pressed, pattern=is_action(QuestionAction.TRANSFER))
    )
    app.add_handler(CallbackQueryHandler(inbox.transfer_to_pressed, pattern=TransferTo.pattern()))
    app.add_handler(
        CallbackQueryHandler(inbox.add_to_kb_pressed, pattern=is_action(QuestionAction.ADD_TO_KB))
    )
    app.add_handler(CallbackQueryHandler(stale_question_button, pattern=QuestionButton.pattern()))
    app.add_handler(CallbackQueryHandler(review.review_pressed, pattern=ReviewCandidate.pattern()))
    app.add_handler(CommandHandler("questions", inbox.questions_command, filters=PRIVATE))
    app.add_handler(CommandHandler("faqreview", review.faqreview_command, filters=PRIVATE))
    if app.job_queue is not None:
        app.job_queue.run_repeating(
            review.knowledge_job,
            interval=review.KNOWLEDGE_INTERVAL_SECONDS,
            first=review.KNOWLEDGE_INTERVAL_SECONDS,
            name="questions:knowledge",
            # A late or missed run changes nothing that the next one does not pick up.
            job_kwargs={"misfire_grace_time": review.KNOWLEDGE_INTERVAL_SECONDS, "coalesce": True},
        )
