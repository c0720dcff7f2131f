"""Button families of questions. Payloads name ids only: every press is re-checked against the
viewer on the server. `QuestionButton` keeps the payloads (q:reply:7, ...) of buttons already
sent, some of them days ago through the outbox."""

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from core.buttons import Button, Keyboard
from core.callback import CallbackData
from services.questions import texts


class QuestionAction(StrEnum):
    REPLY = "reply"
    TRANSFER = "xfer"
    FOLLOW = "follow"
    CLOSE = "close"
    ADD_TO_KB = "kb"


@dataclass(frozen=True)
class QuestionButton(CallbackData, prefix="q"):
    """[回复] [转交] for whoever answers, [追问] [已解决，关闭] for the asker, [加入知识库]."""

    action: QuestionAction
    question_id: int


def is_action(*actions: QuestionAction) -> Callable[[object], bool]:
    """A CallbackQueryHandler pattern: a well-formed QuestionButton doing one of `actions`."""

    def matches(data: object) -> bool:
        button = QuestionButton.parse(data)
        return button is not None and button.action in actions

    return matches


@dataclass(frozen=True)
class TransferTo(CallbackData, prefix="qto"):
    """One of the choices after [转交]: hand the question to this person."""

    question_id: int
    person_id: int


@dataclass(frozen=True)
class ReviewCandidate(CallbackData, prefix="qrv"):
    """/faqreview's [通过] [驳回] under a proposed answer."""

    candidate_id: int
    approve: bool


def answer_keyboard(question_id: int) -> Keyboard:
    """[回复] [转交] under a question shown to whoever should answer it."""
    return [
        [
            Button(texts.QUESTION_REPLY, data=QuestionButton(QuestionAction.REPLY, question_id)),
            Button(
                texts.QUESTION_TRANSFER, data=QuestionButton(QuestionAction.TRANSFER, question_id)
            ),
        ]
    ]


def asker_keyboard(question_id: int) -> Keyboard:
    """[追问] [已解决，关闭] under an answer relayed to the asker."""
    return [
        [
            Button(texts.QUESTION_FOLLOW, data=QuestionButton(QuestionAction.FOLLOW, question_id)),
            Button(texts.QUESTION_CLOSE, data=QuestionButton(QuestionAction.CLOSE, question_id)),
        ]
    ]


def add_to_kb_keyboard(question_id: int) -> Keyboard:
    """[加入知识库] under the instructor's confirmation of a reply."""
    return [
        [
            Button(
                texts.QUESTION_ADD_TO_KB,
                data=QuestionButton(QuestionAction.ADD_TO_KB, question_id),
            )
        ]
    ]


def review_keyboard(candidate_id: int) -> Keyboard:
    return [
        [
            Button(texts.FAQREVIEW_APPROVE, data=ReviewCandidate(candidate_id, approve=True)),
            Button(texts.FAQREVIEW_REJECT, data=ReviewCandidate(candidate_id, approve=False)),
        ]
    ]
