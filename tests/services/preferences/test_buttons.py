"""The /settings buttons' callback data: each names the state it sets; forged ones are refused."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.preferences.buttons import Setting, SettingChoice, Switch, settings_keyboard


def test_the_button_sets_the_other_state() -> None:
    (on_now,) = settings_keyboard(law_tip_opted_out=False)[0]
    (off_now,) = settings_keyboard(law_tip_opted_out=True)[0]
    assert (on_now.text, on_now.data) == (
        "每周法治小贴士：开",
        SettingChoice(Setting.LAW_TIP, Switch.OFF),
    )
    assert (off_now.text, off_now.data) == (
        "每周法治小贴士：关",
        SettingChoice(Setting.LAW_TIP, Switch.ON),
    )
    assert SettingChoice.parse("set:lawtip:off") == SettingChoice(Setting.LAW_TIP, Switch.OFF)
    assert SettingChoice(Setting.LAW_TIP, Switch.ON).pack() == "set:lawtip:on"


@pytest.mark.parametrize(
    "forged", ["set:lawtip:toggle", "set:lawtip", "set:other:on", "set:lawtip:on:1", "set"]
)
def test_forged_payloads_parse_to_a_refusal(forged: str) -> None:
    assert SettingChoice.parse(forged) is None


@given(st.text(max_size=70))
def test_any_text_parses_to_a_setting_or_a_refusal(text: str) -> None:
    parsed = SettingChoice.parse(text)
    assert parsed is None or parsed.pack() == text
