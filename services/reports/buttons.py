"""The monthly report's buttons: the digest's [查看 网格名] and [已听取汇报] (queued through the
outbox, pressed days later), and the /report conversation's steps. No `telegram` import."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from core.buttons import Button, Keyboard
from core.callback import CallbackData
from services.reports import texts
from services.reports.periods import parse_period


@dataclass(frozen=True)
class ReportView(CallbackData, prefix="mrv"):
    """[查看 网格名]: show one report (checked again against the viewer)."""

    report_id: int


class _Hearing(StrEnum):
    HEAR = "h"


@dataclass(frozen=True)
class ReportHearing(CallbackData, prefix="mr"):
    """[已听取汇报] under a town's digest of a period.

    Packs as "mr:h:<town>:<period>", the payload digests carried before typed callback data,
    so that a digest already sent can still be confirmed (a hearing is due days after it).
    """

    tag: _Hearing = field(default=_Hearing.HEAR, kw_only=True)
    town_id: int
    period: str

    def __post_init__(self) -> None:
        parse_period(self.period)  # PeriodError: `parse` refuses the payload


@dataclass(frozen=True)
class ReportGridChoice(CallbackData, prefix="mrg"):
    """/report by the 网格长 of several grids: which grid the report is for."""

    grid_id: int


@dataclass(frozen=True)
class UseSuggestion(CallbackData, prefix="mru"):
    """[使用建议] / [暂无] of one step (a press for another step is stale)."""

    step: int


@dataclass(frozen=True)
class SubmitReport(CallbackData, prefix="mrok"):
    """The preview's [提交]."""


@dataclass(frozen=True)
class DiscardReport(CallbackData, prefix="mrno"):
    """The preview's [取消]."""


# The conversation's buttons: pressed after it ended, they are stale.
CONVERSATION_BUTTONS: tuple[type[CallbackData], ...] = (
    ReportGridChoice,
    UseSuggestion,
    SubmitReport,
    DiscardReport,
)


def view_keyboard(reports: Sequence[tuple[str, int]]) -> list[list[Button]]:
    """[查看 网格名] rows, two buttons a row; `reports` is (grid name, report id)."""
    buttons = [
        Button(texts.report_view_button(name), data=ReportView(report_id))
        for name, report_id in reports
    ]
    return [buttons[i : i + 2] for i in range(0, len(buttons), 2)]


def digest_keyboard(
    *, town_id: int, period: str, reports: Sequence[tuple[str, int]], for_head: bool
) -> Keyboard | None:
    """The digest's [查看] rows, and [已听取汇报] on the 二级网格长's copy."""
    rows = view_keyboard(reports)
    if for_head:
        rows.append(
            [Button(texts.REPORT_HEARD, data=ReportHearing(town_id=town_id, period=period))]
        )
    return rows or None


def grid_choice_keyboard(grids: Sequence[tuple[int, str]]) -> Keyboard:
    """One row per grid; `grids` is (grid id, name)."""
    return [[Button(name, data=ReportGridChoice(grid_id))] for grid_id, name in grids]


def step_keyboard(*, step: int, has_suggestion: bool) -> Keyboard:
    label = texts.REPORT_USE_SUGGESTION if has_suggestion else texts.REPORT_NOTHING
    return [[Button(label, data=UseSuggestion(step))]]


def preview_keyboard() -> Keyboard:
    return [
        [
            Button(texts.REPORT_SUBMIT, data=SubmitReport()),
            Button(texts.REPORT_CANCEL, data=DiscardReport()),
        ]
    ]
