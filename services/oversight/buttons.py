"""The /export chooser's buttons: back to the kinds, a kind, then a period of that kind."""

import enum
from dataclasses import dataclass
from datetime import date

from core.buttons import Button, Keyboard
from core.callback import CallbackData
from services.oversight import texts
from services.oversight.exports import (
    YEARLY_KINDS,
    ExportError,
    ExportKind,
    parse_period,
    recent_periods,
)


class ExportStep(enum.StrEnum):
    MENU = "m"
    KIND = "k"
    PERIOD = "p"


@dataclass(frozen=True)
class ExportChoice(CallbackData, prefix="exp"):
    """One press in the chooser; the scope is never in it (it is the presser's own).

    Packed as "exp:m::", "exp:k:activities:" and "exp:p:activities:2026-11" (the same
    payload as before typed callback data, so period buttons already sent keep working).
    """

    step: ExportStep
    kind: ExportKind | None = None
    period: str | None = None

    def __post_init__(self) -> None:
        # A payload whose fields do not fit its step was not packed here: parse refuses it.
        if (self.kind is None) != (self.step == ExportStep.MENU):
            raise ValueError("only the menu has no kind")
        if (self.period is None) != (self.step != ExportStep.PERIOD):
            raise ValueError("only a period press has a period")
        if self.period is not None:
            try:
                parse_period(self.period)
            except ExportError as exc:
                raise ValueError(str(exc)) from exc

    @classmethod
    def menu(cls) -> "ExportChoice":
        return cls(ExportStep.MENU)

    @classmethod
    def of_kind(cls, kind: ExportKind) -> "ExportChoice":
        return cls(ExportStep.KIND, kind)

    @classmethod
    def of_period(cls, kind: ExportKind, period: str) -> "ExportChoice":
        return cls(ExportStep.PERIOD, kind, period)


def kinds_keyboard() -> Keyboard:
    """One button per kind of 台账."""
    return [[Button(texts.EXPORT_KIND_NAMES[k.value], ExportChoice.of_kind(k))] for k in ExportKind]


def periods_keyboard(kind: ExportKind, today: date) -> Keyboard:
    """The recent periods `kind` can be had for, two a row, and the way back to the kinds."""
    periods = recent_periods(today)
    if kind in YEARLY_KINDS:
        periods = [p for p in periods if p.isdigit()]
    rows: list[list[Button]] = [
        [Button(p, ExportChoice.of_period(kind, p)) for p in periods[i : i + 2]]
        for i in range(0, len(periods), 2)
    ]
    rows.append([Button(texts.EXPORT_BACK, ExportChoice.menu())])
    return rows
