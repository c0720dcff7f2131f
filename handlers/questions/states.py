"""What the questions conversation carries between its steps, and how it ends unsaved."""

from dataclasses import dataclass
from datetime import UTC, datetime

from telegram.ext import ConversationHandler

from handlers.context import GridContext
from handlers.conversation import DraftEnd, user_data
from services.questions import texts

WRITING, DECIDING, REPLYING, FOLLOWING = range(4)
END = ConversationHandler.END


@dataclass
class Draft:
    """The question being written, or the question being replied to or followed up on
    (nothing is stored until the last step)."""

    text: str = ""
    question_id: int | None = None


DRAFT_END = DraftEnd(Draft, cancelled_text=texts.ASK_CANCELLED, timed_out_text=texts.ASK_TIMEOUT)


def draft(context: GridContext) -> Draft:
    return user_data(context).get_or_new(Draft)


def drop_draft(context: GridContext) -> None:
    user_data(context).drop(Draft)


def now() -> datetime:
    return datetime.now(UTC)
