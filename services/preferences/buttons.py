"""The buttons of /settings: each names the state it sets, never "toggle", so a double press or
a replayed old button cannot flip a setting back."""

from dataclasses import dataclass
from enum import StrEnum

from core.buttons import Button, Keyboard
from core.callback import CallbackData
from services.preferences import texts


class Setting(StrEnum):
    LAW_TIP = "lawtip"


class Switch(StrEnum):
    ON = "on"
    OFF = "off"


@dataclass(frozen=True)
class SettingChoice(CallbackData, prefix="set"):
    """Set one of the presser's own settings: `set:lawtip:off`."""

    setting: Setting
    switch: Switch


def settings_keyboard(*, law_tip_opted_out: bool) -> Keyboard:
    """The weekly 法治小贴士 as it is now; pressing it sets the other state."""
    if law_tip_opted_out:
        label, target = texts.SETTINGS_LAW_TIP_OFF, Switch.ON
    else:
        label, target = texts.SETTINGS_LAW_TIP_ON, Switch.OFF
    return [[Button(label, data=SettingChoice(Setting.LAW_TIP, target))]]
