"""The monthly report's button families: each packs and parses back, a forged or stale payload
parses to None, the hearing keeps the payload digests already sent carry, and the keyboards."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.buttons import inline_keyboard_json
from core.callback import CallbackData
from services.reports.buttons import (
    CONVERSATION_BUTTONS,
    DiscardReport,
    ReportGridChoice,
    ReportHearing,
    ReportView,
    SubmitReport,
    UseSuggestion,
    digest_keyboard,
    grid_choice_keyboard,
    preview_keyboard,
    step_keyboard,
    view_keyboard,
)

FAMILIES: tuple[type[CallbackData], ...] = (ReportView, ReportHearing, *CONVERSATION_BUTTONS)
EXAMPLES: tuple[CallbackData, ...] = (
    ReportView(12),
    ReportHearing(town_id=3, period="2026-12"),
    ReportGridChoice(5),
    UseSuggestion(2),
    SubmitReport(),
    DiscardReport(),
)


@pytest.mark.parametrize("data", EXAMPLES)
def test_round_trip_and_only_its_own_family_accepts_it(data: CallbackData) -> None:
    packed = data.pack()
    assert type(data).parse(packed) == data
    assert type(data).pattern().match(packed)
    for family in FAMILIES:
        if family is not type(data):
            assert family.parse(packed) is None
            assert not family.pattern().match(packed)


def test_the_hearing_keeps_the_payload_of_digests_already_sent() -> None:
    assert ReportHearing(town_id=3, period="2026-12").pack() == "mr:h:3:2026-12"
    assert ReportHearing.parse("mr:h:3:2026-12") == ReportHearing(town_id=3, period="2026-12")


@pytest.mark.parametrize(
    "forged",
    [
        "mr:h:3:2026-13",  # no such month
        "mr:h:3:26-12",
        "mr:h:x:2026-12",
        "mr:h:3",
        "mr:x:3:2026-12",
        "mr:v:12",  # the view button's payload before typed callback data: stale
        "mrv:x",
        "mrv:1:2",
        "mru:",
        "mrg:1.5",
        "mrok:1",
        "mrno:",
    ],
)
def test_forged_or_stale_payloads_are_refused(forged: str) -> None:
    assert all(family.parse(forged) is None for family in FAMILIES)


@given(st.text(max_size=80))
def test_any_payload_parses_to_a_button_or_none(data: str) -> None:
    for family in FAMILIES:
        parsed = family.parse(data)
        assert parsed is None or isinstance(parsed, family)


@given(st.lists(st.tuples(st.text(min_size=1, max_size=10), st.integers(1, 10**9)), max_size=7))
def test_view_rows_hold_two_buttons(reports: list[tuple[str, int]]) -> None:
    rows = view_keyboard(reports)
    assert len(rows) == (len(reports) + 1) // 2
    assert all(len(row) == 2 for row in rows[:-1])
    pressed = [button.data for row in rows for button in row]
    assert pressed == [ReportView(report_id) for _name, report_id in reports]


def test_digest_keyboard_gives_the_head_the_hearing_button() -> None:
    reports = [("虹桥镇·工业网格1", 7)]
    head = digest_keyboard(town_id=3, period="2026-12", reports=reports, for_head=True)
    assert inline_keyboard_json(head) == {
        "inline_keyboard": [
            [{"text": "查看 虹桥镇·工业网格1", "callback_data": "mrv:7"}],
            [{"text": "已听取汇报", "callback_data": "mr:h:3:2026-12"}],
        ]
    }
    deputy = digest_keyboard(town_id=3, period="2026-12", reports=reports, for_head=False)
    assert inline_keyboard_json(deputy) == {
        "inline_keyboard": [[{"text": "查看 虹桥镇·工业网格1", "callback_data": "mrv:7"}]]
    }
    assert digest_keyboard(town_id=3, period="2026-12", reports=[], for_head=False) is None


def test_conversation_keyboards() -> None:
    assert [[b.data for b in row] for row in grid_choice_keyboard([(1, "甲"), (2, "乙")])] == [
        [ReportGridChoice(1)],
        [ReportGridChoice(2)],
    ]
    [[suggest]] = step_keyboard(step=1, has_suggestion=True)
    [[nothing]] = step_keyboard(step=3, has_suggestion=False)
    assert (suggest.text, suggest.data) == ("使用建议", UseSuggestion(1))
    assert (nothing.text, nothing.data) == ("暂无", UseSuggestion(3))
    [[submit, discard]] = preview_keyboard()
    assert (submit.data, discard.data) == (SubmitReport(), DiscardReport())
