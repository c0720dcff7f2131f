"""The buttons of 催报: payloads carry only ids and choices; every press is re-checked."""

from dataclasses import dataclass
from enum import StrEnum

from core.buttons import Button, Keyboard
from core.callback import CallbackData
from services.chase import texts

_MAX_ID = 2**31 - 1


def _check_id(value: int) -> None:
    if not 1 <= value <= _MAX_ID:
        raise ValueError(f"id {value} out of range")


@dataclass(frozen=True)
class ChaseConfirm(CallbackData, prefix="cc"):
    """[确认催报] (go) or [取消] under the preview of one import."""

    import_id: int
    go: bool

    def __post_init__(self) -> None:
        _check_id(self.import_id)


class DoneKind(StrEnum):
    REPORTED = "r"
    MODIFIED = "m"


DONE_LABELS = {DoneKind.REPORTED: texts.DONE_REPORTED, DoneKind.MODIFIED: texts.DONE_MODIFIED}


@dataclass(frozen=True)
class ChaseDone(CallbackData, prefix="cd"):
    """[已报送] / [已修改] of one item, under the statistician's chase message."""

    item_id: int
    kind: DoneKind

    def __post_init__(self) -> None:
        _check_id(self.item_id)


@dataclass(frozen=True)
class ChaseHelp(CallbackData, prefix="ch"):
    """[需要帮助] of one item: opens /ask with the item filled in (handlers/questions)."""

    item_id: int

    def __post_init__(self) -> None:
        _check_id(self.item_id)


@dataclass(frozen=True)
class ChaseRemind(CallbackData, prefix="cr"):
    """[再提醒] of one enterprise on the board, for one period (2026-11)."""

    object_id: int
    period: str

    def __post_init__(self) -> None:
        _check_id(self.object_id)
        if len(self.period) != 7:
            raise ValueError("bad period")


@dataclass(frozen=True)
class ChaseLedger(CallbackData, prefix="cl"):
    """[导出催报台账] of one period (2026-11) on the board."""

    period: str

    def __post_init__(self) -> None:
        if len(self.period) != 7:
            raise ValueError("bad period")


MARKS = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def mark(index: int) -> str:
    return MARKS[index] if index < len(MARKS) else f"({index + 1})"


def confirm_keyboard(import_id: int) -> Keyboard:
    return [
        [
            Button(texts.CONFIRM, data=ChaseConfirm(import_id, go=True)),
            Button(texts.CANCEL, data=ChaseConfirm(import_id, go=False)),
        ]
    ]


def chase_keyboard(items: list[tuple[int, str | None]]) -> Keyboard:
    """Per item (id, what was declared or None): [已报送] [已修改] [需要帮助]."""
    rows: list[list[Button]] = []
    for index, (item_id, declared) in enumerate(items):
        row: list[Button] = []
        for kind, label in DONE_LABELS.items():
            shown = f"{mark(index)}{label}{texts.DONE_MARK if declared == label else ''}"
            row.append(Button(shown, data=ChaseDone(item_id, kind)))
        row.append(Button(f"{mark(index)}{texts.HELP}", data=ChaseHelp(item_id)))
        rows.append(row)
    return rows
