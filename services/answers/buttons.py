"""Button families of answers: an entry, an article's text, the way on to the instructor, the
next tip. Their payloads are those of the buttons already sent (faq:, art:, ask:, tip:)."""

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from core.callback import CallbackData


@dataclass(frozen=True)
class ShowEntry(CallbackData, prefix="faq"):
    """[您是不是想问] and the suggestions before /ask: show this knowledge-base entry."""

    entry_id: str


@dataclass(frozen=True)
class ShowArticle(CallbackData, prefix="art"):
    """[查看原文]: the article's verbatim text."""

    law: str
    article: int


class AskStep(StrEnum):
    # Under an answer: open /ask with the question the bot could not answer.
    HANDOFF = "handoff"
    # Under the suggestions shown before filing: file it after all, or the suggestions did.
    FILE = "file"
    SOLVED = "solved"


@dataclass(frozen=True)
class AskButton(CallbackData, prefix="ask"):
    """The ways from an answer to a question for the instructor (handled by handlers.questions)."""

    step: AskStep


def is_step(*steps: AskStep) -> Callable[[object], bool]:
    """A CallbackQueryHandler pattern: a well-formed AskButton taking one of `steps`."""

    def matches(data: object) -> bool:
        button = AskButton.parse(data)
        return button is not None and button.step in steps

    return matches


class TipAction(StrEnum):
    NEXT = "next"


@dataclass(frozen=True)
class TipButton(CallbackData, prefix="tip"):
    """[再来一条] under a tip."""

    action: TipAction = TipAction.NEXT
