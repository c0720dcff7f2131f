"""The /study buttons' callback data: the payloads already sent, and forged ones refused."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.study.buttons import StudyAnswer, StudyChoice, confirm_keyboard


def test_confirm_and_discard_keep_their_payloads() -> None:
    assert [[b.data.pack() for b in row if b.data] for row in confirm_keyboard()] == [
        ["study:ok", "study:no"]
    ]
    assert StudyChoice.parse("study:ok") == StudyChoice(StudyAnswer.CONFIRM)
    assert StudyChoice.parse("study:no") == StudyChoice(StudyAnswer.DISCARD)


@pytest.mark.parametrize("forged", ["study:yes", "study:ok:1", "study", "study:", "nt:ok"])
def test_forged_payloads_parse_to_a_refusal(forged: str) -> None:
    assert StudyChoice.parse(forged) is None


@given(st.text(max_size=70))
def test_any_text_parses_to_an_answer_or_a_refusal(text: str) -> None:
    parsed = StudyChoice.parse(text)
    assert parsed is None or parsed.pack() == text
