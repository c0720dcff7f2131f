"""The answer button families: payloads of buttons already sent still parse, forged ones do
not, and no text makes a parser raise."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.answers.buttons import (
    AskButton,
    AskStep,
    ShowArticle,
    ShowEntry,
    TipAction,
    TipButton,
    is_step,
)

FAMILIES = (ShowEntry, ShowArticle, AskButton, TipButton)
# What knowledge ids and law stems are made of (no ":").
# Text Telegram can carry: no lone surrogates (no UTF-8 for them), no field separator.
NAMES = st.text(
    alphabet=st.characters(blacklist_characters=":", blacklist_categories=("Cs",)),
    min_size=1,
    max_size=12,
)


@pytest.mark.parametrize(
    ("sent", "parsed"),
    [
        ("faq:a-penalty-late-report", ShowEntry("a-penalty-late-report")),
        ("art:统计法:44", ShowArticle("统计法", 44)),
        ("ask:handoff", AskButton(AskStep.HANDOFF)),
        ("ask:file", AskButton(AskStep.FILE)),
        ("ask:solved", AskButton(AskStep.SOLVED)),
        ("tip:next", TipButton(TipAction.NEXT)),
    ],
)
def test_payloads_already_sent_keep_working(
    sent: str, parsed: ShowEntry | ShowArticle | AskButton | TipButton
) -> None:
    assert type(parsed).parse(sent) == parsed
    assert parsed.pack() == sent


@pytest.mark.parametrize(
    "forged", ["art:统计法:x", "art:统计法", "ask:other", "ask", "tip:other", "tip", "faq:a:b"]
)
def test_forged_payloads_are_refused(forged: str) -> None:
    assert all(family.parse(forged) is None for family in FAMILIES)


def test_is_step_matches_only_its_steps() -> None:
    deciding = is_step(AskStep.FILE)
    assert deciding("ask:file")
    assert not deciding("ask:solved")
    assert not deciding("ask:x")


@given(entry_id=NAMES, law=NAMES, article=st.integers(min_value=1, max_value=999))
def test_answer_buttons_round_trip(entry_id: str, law: str, article: int) -> None:
    assert ShowEntry.parse(ShowEntry(entry_id).pack()) == ShowEntry(entry_id)
    assert ShowArticle.parse(ShowArticle(law, article).pack()) == ShowArticle(law, article)


@given(st.text())
def test_any_text_parses_to_a_button_or_a_refusal(data: str) -> None:
    for family in FAMILIES:
        parsed = family.parse(data)
        assert parsed is None or isinstance(parsed, family)
