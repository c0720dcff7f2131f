"""The /export chooser's callback data: what the keyboards pack parses back, anything else is
refused (None), never an exception."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.callback import MAX_CALLBACK_BYTES
from services.oversight.buttons import ExportChoice, ExportStep, kinds_keyboard, periods_keyboard
from services.oversight.exports import ExportKind

TODAY = date(2026, 1, 15)


def test_keyboards_round_trip() -> None:
    buttons = [b for row in kinds_keyboard() for b in row]
    for kind in ExportKind:
        buttons += [b for row in periods_keyboard(kind, TODAY) for b in row]
    for button in buttons:
        assert button.data is not None
        packed = button.data.pack()
        assert len(packed.encode()) <= MAX_CALLBACK_BYTES
        assert ExportChoice.parse(packed) == button.data


def test_payloads_keep_their_shape() -> None:
    assert ExportChoice.menu().pack() == "exp:m::"
    assert ExportChoice.of_kind(ExportKind.NOTICES).pack() == "exp:k:notices:"
    # Period buttons sent before typed callback data still work.
    assert ExportChoice.parse("exp:p:activities:2026-11") == ExportChoice.of_period(
        ExportKind.ACTIVITIES, "2026-11"
    )


def test_yearly_kinds_offer_years_only() -> None:
    offered = [
        b.data
        for row in periods_keyboard(ExportKind.FUNDING, TODAY)
        for b in row
        if isinstance(b.data, ExportChoice) and b.data.step == ExportStep.PERIOD
    ]
    assert [c.period for c in offered if c is not None] == ["2026", "2025"]


@pytest.mark.parametrize(
    "forged",
    [
        "exp:m",
        "exp:k:activities",
        "exp:k:salaries:",
        "exp:p:activities:2026-13",
        "exp:p:activities:1999",
        "exp:p:bogus:2026",
        "exp:m:activities:",
        "exp:k:activities:2026",
        "exp:p:activities:",
        "exp:x::",
        "exp",
        "expx:m::",
    ],
)
def test_forged_payloads_are_refused(forged: str) -> None:
    assert ExportChoice.parse(forged) is None


@given(st.text(max_size=80))
def test_any_text_parses_or_is_refused(data: str) -> None:
    choice = ExportChoice.parse(data)
    assert choice is None or ExportChoice.parse(choice.pack()) == choice


@given(st.sampled_from(list(ExportStep)), st.text(max_size=12), st.text(max_size=12))
def test_any_fields_after_the_prefix(step: ExportStep, kind: str, period: str) -> None:
    choice = ExportChoice.parse(f"exp:{step.value}:{kind}:{period}")
    assert choice is None or choice.step == step
