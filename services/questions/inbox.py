"""What waits on an instructor: /questions, oldest first, each with its [回复 #id] button."""

from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from core.buttons import Button, Keyboard
from core.formatting import esc, fit_lines
from models import questions as queries
from services.access import Viewer
from services.questions import texts
from services.questions.buttons import QuestionAction, QuestionButton
from services.questions.lookups import grid_name, person_name
from services.questions.rules import snippet

# /questions lists at most this many (one [回复] button each), oldest first.
INBOX_SHOWN = 20


@dataclass(frozen=True)
class WaitingQuestion:
    id: int
    asker: str
    grid: str
    text: str
    waiting_since: datetime | None


async def waiting_for(*, session: AsyncSession, viewer: Viewer) -> list[WaitingQuestion]:
    """Open questions assigned to the viewer, longest waiting first."""
    found = await queries.open_questions_assigned_to(session=session, person_id=viewer.person_id)
    listed = []
    for question in found:
        assert question.id is not None
        listed.append(
            WaitingQuestion(
                id=question.id,
                asker=await person_name(session=session, person_id=question.asker_id),
                grid=await grid_name(session, question.grid_id),
                text=question.text,
                waiting_since=question.waiting_since,
            )
        )
    return listed


def waited_label(since: datetime | None, now: datetime) -> str:
    if since is None:
        return ""
    hours = max(0, int((now - since).total_seconds() // 3600))
    if hours >= 24:
        return texts.WAITED_DAYS.format(days=hours // 24, hours=hours % 24)
    return texts.WAITED_HOURS.format(hours=hours)


def render_inbox(waiting: list[WaitingQuestion], now: datetime) -> tuple[str, Keyboard]:
    """The /questions listing and a reply button per question: the oldest INBOX_SHOWN that fit
    one message, and how many more are waiting."""
    if not waiting:
        return texts.QUESTIONS_NONE, []
    lines = [
        texts.QUESTIONS_LINE.format(
            id=w.id,
            asker=esc(w.asker),
            grid=esc(w.grid),
            waited=waited_label(w.waiting_since, now),
            text=esc(snippet(w.text)),
        )
        for w in waiting
    ]
    text, shown = fit_lines(
        lines,
        head=texts.QUESTIONS_HEADING.format(count=len(waiting)),
        more=lambda left: texts.QUESTIONS_MORE.format(count=left),
        max_lines=INBOX_SHOWN,
    )
    buttons = [
        [
            Button(
                texts.QUESTIONS_REPLY_BUTTON.format(id=w.id),
                data=QuestionButton(QuestionAction.REPLY, w.id),
            )
        ]
        for w in waiting[:shown]
    ]
    return text, buttons
