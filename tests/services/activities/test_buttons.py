"""The activities' button families: every payload packs and parses back, the panel keeps the
payloads of buttons already sent, and anything forged or stale parses to a refusal."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.callback import MAX_CALLBACK_BYTES, CallbackData
from models.enums import ActivityKind
from services.activities.buttons import (
    DRAFT_FAMILIES,
    ChooseKind,
    Decline,
    GridsChosen,
    LeavePerson,
    PanelAction,
    PanelButton,
    Publish,
    SkipLocation,
    ToggleGrid,
)

FAMILIES: tuple[type[CallbackData], ...] = (*DRAFT_FAMILIES, PanelButton, LeavePerson)
ids = st.integers(min_value=1, max_value=2**31 - 1)
payloads = st.one_of(
    st.builds(ChooseKind, st.sampled_from(ActivityKind)),
    st.builds(ToggleGrid, ids),
    st.just(SkipLocation()),
    st.just(GridsChosen()),
    st.just(Publish()),
    st.just(Decline()),
    st.builds(PanelButton, st.sampled_from(PanelAction), ids),
    st.builds(LeavePerson, ids, ids),
)


@given(payloads)
def test_every_payload_round_trips_in_its_own_family_only(payload: CallbackData) -> None:
    data = payload.pack()
    assert len(data.encode()) <= MAX_CALLBACK_BYTES
    for family in FAMILIES:
        parsed = family.parse(data)
        assert parsed == (payload if family is type(payload) else None)
        assert bool(family.pattern().match(data)) == (family is type(payload))


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("act:p:7", PanelButton(PanelAction.OPEN, 7)),
        ("act:r:7", PanelButton(PanelAction.REFRESH, 7)),
        ("act:q:7", PanelButton(PanelAction.QR, 7)),
        ("act:m:7", PanelButton(PanelAction.REMIND, 7)),
        ("act:l:7", PanelButton(PanelAction.LEAVE, 7)),
    ],
)
def test_panel_buttons_already_sent_keep_working(data: str, expected: PanelButton) -> None:
    assert PanelButton.parse(data) == expected
    assert expected.pack() == data


@pytest.mark.parametrize(
    "forged",
    [
        "act:x:7",
        "act:p:",
        "act:p:1;drop",
        "act:p:7:8",
        "act:lp:1:2",
        "actlp:1",
        "actlp:a:2",
        "actnew_k:运动",
        "actnew_k:0",
        "actnew_g:abc",
        "actnew_ok:1",
        "actnew:k:0",
        "",
        None,
    ],
)
def test_forged_or_stale_payloads_parse_to_a_refusal(forged: str | None) -> None:
    assert all(family.parse(forged) is None for family in FAMILIES)


@given(st.text(max_size=80))
def test_any_text_parses_to_a_payload_or_a_refusal(data: str) -> None:
    for family in FAMILIES:
        parsed = family.parse(data)
        assert parsed is None or family.parse(parsed.pack()) == parsed
