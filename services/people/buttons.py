"""Buttons of /person: ids, and the successor's mobile and name (re-checked on press)."""

from dataclasses import dataclass

from core.callback import CallbackData

_MAX_ID = 2**31 - 1


@dataclass(frozen=True)
class HandoverStart(CallbackData, prefix="hs"):
    """[交接给新人] under a person's card: asks for the successor's name and mobile."""

    person_id: int

    def __post_init__(self) -> None:
        if not 1 <= self.person_id <= _MAX_ID:
            raise ValueError(f"id {self.person_id} out of range")


@dataclass(frozen=True)
class RebindStart(CallbackData, prefix="rb"):
    """[重新绑定] under a person's card (confirm False), then [确认重新绑定] (confirm True)."""

    person_id: int
    confirm: bool

    def __post_init__(self) -> None:
        if not 1 <= self.person_id <= _MAX_ID:
            raise ValueError(f"id {self.person_id} out of range")


@dataclass(frozen=True)
class DeactivateStart(CallbackData, prefix="dp"):
    """[停用] under a person's card (confirm False), then [确认停用] (confirm True)."""

    person_id: int
    confirm: bool

    def __post_init__(self) -> None:
        if not 1 <= self.person_id <= _MAX_ID:
            raise ValueError(f"id {self.person_id} out of range")


@dataclass(frozen=True)
class HandoverConfirm(CallbackData, prefix="hc"):
    """[确认交接]: the seat of `person_id` goes to the successor."""

    person_id: int
    mobile: str
    name: str

    def __post_init__(self) -> None:
        if not 1 <= self.person_id <= _MAX_ID:
            raise ValueError(f"id {self.person_id} out of range")
