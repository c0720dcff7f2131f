"""The /grid browser's buttons: one family that opens the city, a town or a level-3 grid."""

import enum
from dataclasses import dataclass
from typing import Self

from core.callback import SEPARATOR, CallbackData


class GridScreen(enum.StrEnum):
    CITY = "c"
    TOWN = "t"
    GRID = "g"


@dataclass(frozen=True)
class GridOpen(CallbackData, prefix="grid"):
    """Open a screen of the browser: the city (no id), a town or a level-3 grid (by id).

    Only ids travel; the handler re-checks every press against the viewer's scope.
    """

    screen: GridScreen
    node_id: int | None = None

    def __post_init__(self) -> None:
        if (self.screen is GridScreen.CITY) != (self.node_id is None):
            raise ValueError(f"{self.screen} with node id {self.node_id}")

    def pack(self) -> str:
        # The city button was always "grid:c" (no empty id field): buttons already sent work on.
        packed = super().pack()
        return packed.removesuffix(SEPARATOR) if self.node_id is None else packed

    @classmethod
    def parse(cls, data: object) -> Self | None:
        if data == f"{cls.prefix}{SEPARATOR}{GridScreen.CITY.value}":
            return cls(GridScreen.CITY)
        parsed = super().parse(data)
        # Only what pack writes: "grid:c:" is no payload of ours.
        return parsed if parsed is not None and parsed.pack() == data else None
