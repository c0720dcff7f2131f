"""The notice buttons' callback data: what is packed parses back, payloads of buttons already
sent keep their meaning, and anything forged parses to a refusal (None)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.buttons import inline_keyboard_json
from core.callback import CallbackData
from services.notices.buttons import (
    DRAFT_FAMILIES,
    DraftAction,
    NoticeAudienceChoice,
    NoticeDraftAction,
    NoticePanel,
    NoticeRead,
    NoticeRemind,
    NoticeScopeChoice,
    audiences_keyboard,
    receipt_keyboard,
)
from services.notices.drafts import Audience, ScopeKind

IDS = st.integers(min_value=1, max_value=2**31 - 1)
FAMILIES: tuple[type[CallbackData], ...] = (NoticeRead, NoticePanel, NoticeRemind, *DRAFT_FAMILIES)

payloads = st.one_of(
    st.builds(NoticeRead, IDS),
    st.builds(NoticePanel, IDS),
    st.builds(NoticeRemind, IDS),
    st.builds(NoticeDraftAction, st.sampled_from(DraftAction)),
    st.builds(
        NoticeScopeChoice, st.sampled_from(ScopeKind), st.integers(min_value=0, max_value=2**31 - 1)
    ),
    st.builds(NoticeAudienceChoice, st.sampled_from(Audience)),
)


@given(payloads)
def test_every_payload_parses_back_in_its_own_family_only(data: CallbackData) -> None:
    packed = data.pack()
    for family in FAMILIES:
        assert family.parse(packed) == (data if family is type(data) else None)
        assert bool(family.pattern().match(packed)) == (family is type(data))


def test_payloads_of_buttons_already_sent_keep_their_format() -> None:
    assert NoticeRead.parse("nr:7") == NoticeRead(7)
    assert NoticePanel.parse("np:7") == NoticePanel(7)
    assert NoticeRemind.parse("nm:7") == NoticeRemind(7)
    assert [NoticeDraftAction(a).pack() for a in DraftAction] == ["nt:skip", "nt:ok", "nt:no"]
    assert inline_keyboard_json(receipt_keyboard(7)) == {
        "inline_keyboard": [[{"text": "已阅", "callback_data": "nr:7"}]]
    }
    assert [row[0].text for row in audiences_keyboard()] == [
        "全体人员",
        "仅网格员",
        "仅网格长",
        "仅网格指导员",
    ]


@pytest.mark.parametrize(
    "forged",
    [
        "nr:0",
        "nr:-3",
        "nr:99999999999",
        "nr:7:1",
        "nr:",
        "nr",
        "np:x",
        "nm:1.5",
        "nt:send",
        "nt:ok:1",
        "nts:x:1",
        "nts:g:-1",
        "nts:g",
        "nta:everybody",
        # The scope and audience buttons of an older version.
        "nt:s:g:5",
        "nt:a:all",
    ],
)
def test_forged_or_stale_payloads_parse_to_a_refusal(forged: str) -> None:
    assert all(family.parse(forged) is None for family in FAMILIES)


@given(st.text(max_size=70))
def test_any_text_parses_to_a_payload_or_a_refusal(text: str) -> None:
    for family in FAMILIES:
        parsed = family.parse(text)
        assert parsed is None or parsed.pack() == text or family.parse(parsed.pack()) == parsed


def test_ids_outside_the_database_cannot_be_packed() -> None:
    with pytest.raises(ValueError, match="out of range"):
        NoticeRead(0)
    with pytest.raises(ValueError, match="out of range"):
        NoticeScopeChoice(ScopeKind.GRID, 2**31)
