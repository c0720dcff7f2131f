"""The question button families: payloads of buttons already sent still parse, forged ones do
not, and no text makes a parser raise."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.buttons import inline_keyboard_json
from services.questions.buttons import (
    QuestionAction,
    QuestionButton,
    ReviewCandidate,
    TransferTo,
    answer_keyboard,
    asker_keyboard,
    is_action,
)

FAMILIES = (QuestionButton, TransferTo, ReviewCandidate)
IDS = st.integers(min_value=0, max_value=10**12)


@pytest.mark.parametrize(
    ("sent", "parsed"),
    [
        ("q:reply:7", QuestionButton(QuestionAction.REPLY, 7)),
        ("q:xfer:7", QuestionButton(QuestionAction.TRANSFER, 7)),
        ("q:follow:7", QuestionButton(QuestionAction.FOLLOW, 7)),
        ("q:close:7", QuestionButton(QuestionAction.CLOSE, 7)),
        ("q:kb:7", QuestionButton(QuestionAction.ADD_TO_KB, 7)),
    ],
)
def test_payloads_already_sent_keep_working(sent: str, parsed: QuestionButton) -> None:
    assert QuestionButton.parse(sent) == parsed
    assert parsed.pack() == sent


def test_the_outbox_stores_the_same_keyboards_as_before() -> None:
    assert inline_keyboard_json(answer_keyboard(7)) == {
        "inline_keyboard": [
            [
                {"text": "回复", "callback_data": "q:reply:7"},
                {"text": "转交", "callback_data": "q:xfer:7"},
            ]
        ]
    }
    assert inline_keyboard_json(asker_keyboard(7)) == {
        "inline_keyboard": [
            [
                {"text": "追问", "callback_data": "q:follow:7"},
                {"text": "已解决，关闭", "callback_data": "q:close:7"},
            ]
        ]
    }


@pytest.mark.parametrize(
    "forged",
    ["q:reply:x", "q:reply:", "q:reply:7:8", "q:ok:7", "q:to:7:9", "q:", "q", "qto:7", "qrv:7:2"],
)
def test_forged_payloads_are_refused(forged: str) -> None:
    assert QuestionButton.parse(forged) is None
    assert TransferTo.parse(forged) is None
    assert ReviewCandidate.parse(forged) is None


def test_is_action_matches_only_well_formed_buttons_of_its_actions() -> None:
    replying = is_action(QuestionAction.REPLY, QuestionAction.FOLLOW)
    assert replying("q:reply:7")
    assert replying("q:follow:7")
    assert not replying("q:close:7")
    assert not replying("q:reply:x")
    assert not replying(None)


@given(action=st.sampled_from(QuestionAction), question_id=IDS)
def test_question_buttons_round_trip(action: QuestionAction, question_id: int) -> None:
    button = QuestionButton(action, question_id)
    assert QuestionButton.parse(button.pack()) == button
    assert TransferTo.parse(button.pack()) is None


@given(question_id=IDS, person_id=IDS, approve=st.booleans())
def test_transfer_and_review_round_trip(question_id: int, person_id: int, approve: bool) -> None:
    transfer = TransferTo(question_id, person_id)
    assert TransferTo.parse(transfer.pack()) == transfer
    review = ReviewCandidate(question_id, approve=approve)
    assert ReviewCandidate.parse(review.pack()) == review
    assert QuestionButton.parse(review.pack()) is None


@given(st.one_of(st.text(), st.text(alphabet="q:to0123456789-rvxfe", max_size=24)))
def test_any_text_parses_to_a_button_or_a_refusal(data: str) -> None:
    for family in FAMILIES:
        parsed = family.parse(data)
        assert parsed is None or isinstance(parsed, family)
