"""The buttons of /study: confirming or dropping the entry shown for confirmation."""

from dataclasses import dataclass
from enum import StrEnum

from core.buttons import Button, Keyboard
from core.callback import CallbackData
from services.study import texts


class StudyAnswer(StrEnum):
    CONFIRM = "ok"
    DISCARD = "no"


@dataclass(frozen=True)
class StudyChoice(CallbackData, prefix="study"):
    """[确认登记] (`study:ok`) or [取消] (`study:no`)."""

    answer: StudyAnswer


def confirm_keyboard() -> Keyboard:
    return [
        [
            Button(texts.STUDY_CONFIRM, data=StudyChoice(StudyAnswer.CONFIRM)),
            Button(texts.STUDY_DISCARD, data=StudyChoice(StudyAnswer.DISCARD)),
        ]
    ]
