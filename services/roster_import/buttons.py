"""The buttons of the roster sent in the chat: payloads carry only ids; every press is
re-checked (admin, importer, state, fingerprint)."""

from dataclasses import dataclass

from core.buttons import Button, Keyboard
from core.callback import CallbackData
from services.roster_import import texts

_MAX_ID = 2**31 - 1


@dataclass(frozen=True)
class RosterConfirm(CallbackData, prefix="rc"):
    """[确认导入] (go) or [取消] under the preview of one uploaded roster."""

    upload_id: int
    go: bool

    def __post_init__(self) -> None:
        if not 1 <= self.upload_id <= _MAX_ID:
            raise ValueError(f"id {self.upload_id} out of range")


@dataclass(frozen=True)
class PartitionStep(CallbackData, prefix="rp"):
    """[预览网格划分] (apply False) and [确认划分] (apply True)."""

    apply: bool


def confirm_keyboard(upload_id: int) -> Keyboard:
    return [
        [
            Button(texts.CONFIRM, data=RosterConfirm(upload_id, go=True)),
            Button(texts.CANCEL, data=RosterConfirm(upload_id, go=False)),
        ]
    ]


def partition_keyboard(*, apply: bool) -> Keyboard:
    label = texts.CONFIRM_PARTITION if apply else texts.PREVIEW_PARTITION
    return [[Button(label, data=PartitionStep(apply=apply))]]
