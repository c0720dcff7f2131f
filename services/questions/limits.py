"""How long a question (or follow-up) and an answer may be: what is left of Telegram's text
limit once the longest header of every message that shows them is counted. A question and its
answer are shown together (/faqreview, an approved answer in /faq): the question gets a third
of what is left there, the answer the rest."""

from datetime import date

from core.formatting import TEXT_LIMIT, plain_len, rendered_len
from knowledge.base import local_entry
from services.answers.render import render_entry
from services.questions import texts

# The longest grid name (Grid.name), person name (Person.name), and numbers no city reaches.
_GRID = "字" * 100
_NAME = "字" * 50
_ID = 99_999_999
_HOURS = 99_999
# A question shows in the answer's relay as a snippet of this many characters.
RELAY_SNIPPET = 200
_QUESTION_SHARE = 3


def _question_frames() -> list[str]:
    """Every message that shows a whole question or follow-up, with an empty one."""
    asked = {"id": _ID, "grid": _GRID, "asker": _NAME, "text": ""}
    return [
        texts.QUESTION_NOTIFY.format(**asked),
        texts.QUESTION_FOLLOWUP_NOTIFY.format(**asked),
        texts.QUESTION_TRANSFER_NOTIFY.format(**asked, by=_NAME),
        texts.QUESTION_REMIND.format(**asked, hours=_HOURS),
        texts.QUESTION_ESCALATE.format(**asked, hours=_HOURS, assignee=_NAME),
        texts.QUESTION_REPLY_PROMPT.format(id=_ID, text=""),
        texts.ASK_PREFILLED.format(text=""),
    ]


def _pair_frames() -> list[str]:
    """Every message that shows a question and its answer whole, with both empty."""
    return [
        texts.FAQREVIEW_ITEM.format(
            id=_ID, author=_NAME, date="2026-12-31", question="", answer=""
        ),
        render_entry(
            local_entry(key=str(_ID), question="", answer="", approved_on=date(2026, 12, 31))
        ),
    ]


def _limits() -> tuple[int, int]:
    alone = TEXT_LIMIT - max(rendered_len(frame) for frame in _question_frames())
    together = TEXT_LIMIT - max(rendered_len(frame) for frame in _pair_frames())
    question = min(alone, together // _QUESTION_SHARE)
    relay = texts.QUESTION_ANSWER_RELAY.format(
        role=_NAME, name=_NAME, id=_ID, question="字" * RELAY_SNIPPET, answer=""
    )
    answer = min(together - question, TEXT_LIMIT - rendered_len(relay))
    return question, answer


MAX_QUESTION_CHARS, MAX_ANSWER_CHARS = _limits()


def too_long(text: str, limit: int, what: str) -> str | None:
    """The Chinese refusal of a text over `limit` (saying the limit and the excess), else None."""
    length = plain_len(text)
    if length <= limit:
        return None
    return texts.TEXT_TOO_LONG.format(what=what, limit=limit, length=length, over=length - limit)


def question_too_long(text: str) -> str | None:
    return too_long(text, MAX_QUESTION_CHARS, texts.WHAT_QUESTION)
