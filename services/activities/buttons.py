"""The activities' button families: built by the services and handlers, parsed by the handlers.

The panel's family keeps the prefix `act` of the buttons already sent, which stay in chats for
days; the buttons of the guided /activity conversation only live as long as the conversation.
"""

from dataclasses import dataclass
from enum import StrEnum

from core.callback import CallbackData
from models.enums import ActivityKind


@dataclass(frozen=True)
class ChooseKind(CallbackData, prefix="actnew_k"):
    """/activity, step 1: the activity's kind."""

    kind: ActivityKind


@dataclass(frozen=True)
class SkipLocation(CallbackData, prefix="actnew_skip"):
    """/activity, step 5: no location check."""


@dataclass(frozen=True)
class ToggleGrid(CallbackData, prefix="actnew_g"):
    """/activity, step 6: add or remove one of the organiser's grids."""

    grid_id: int


@dataclass(frozen=True)
class GridsChosen(CallbackData, prefix="actnew_done"):
    """/activity, step 6: the grids are chosen."""


@dataclass(frozen=True)
class Publish(CallbackData, prefix="actnew_ok"):
    """The preview's [确认发布]."""


@dataclass(frozen=True)
class Decline(CallbackData, prefix="actnew_no"):
    """The preview's [取消]."""


# Every button of the /activity conversation (a press after it ended is stale).
DRAFT_FAMILIES: tuple[type[CallbackData], ...] = (
    ChooseKind,
    SkipLocation,
    ToggleGrid,
    GridsChosen,
    Publish,
    Decline,
)


class PanelAction(StrEnum):
    OPEN = "p"
    REFRESH = "r"
    QR = "q"
    REMIND = "m"
    LEAVE = "l"


@dataclass(frozen=True)
class PanelButton(CallbackData, prefix="act"):
    """The /activities listing's buttons and the organiser's panel."""

    action: PanelAction
    activity_id: int


@dataclass(frozen=True)
class LeavePerson(CallbackData, prefix="actlp"):
    """[登记请假]: the member whose leave is recorded."""

    activity_id: int
    person_id: int
