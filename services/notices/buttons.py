"""The buttons of notices: one callback family per kind of press, and the keyboards built from
them, shared by the outbox copies ([已阅]), the sender's panel and the handlers that take them.

Payloads carry only ids and choices; whoever takes a press checks it against the database.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from core.buttons import Button, Keyboard
from core.callback import CallbackData
from services.notices import texts
from services.notices.drafts import Audience, Scope, ScopeKind

# Ids are database integers: anything outside them is forged.
_MAX_ID = 2**31 - 1


def _check_id(value: int, *, smallest: int = 1) -> None:
    if not smallest <= value <= _MAX_ID:
        raise ValueError(f"id {value} out of range")


@dataclass(frozen=True)
class NoticeRead(CallbackData, prefix="nr"):
    """[已阅] under a notice and its reminders: `nr:<notice id>`, already sent in many chats."""

    notice_id: int

    def __post_init__(self) -> None:
        _check_id(self.notice_id)


@dataclass(frozen=True)
class NoticePanel(CallbackData, prefix="np"):
    """Open or refresh the sender's panel of one notice."""

    notice_id: int

    def __post_init__(self) -> None:
        _check_id(self.notice_id)


@dataclass(frozen=True)
class NoticeRemind(CallbackData, prefix="nm"):
    """[提醒未读] on the sender's panel."""

    notice_id: int

    def __post_init__(self) -> None:
        _check_id(self.notice_id)


class DraftAction(StrEnum):
    SKIP = "skip"
    SEND = "ok"
    CANCEL = "no"


@dataclass(frozen=True)
class NoticeDraftAction(CallbackData, prefix="nt"):
    """[跳过] the attachment, [确认发送] or [取消] the draft."""

    action: DraftAction


@dataclass(frozen=True)
class NoticeScopeChoice(CallbackData, prefix="nts"):
    """A scope offered to the sender (the city is grid 0)."""

    kind: ScopeKind
    grid_id: int

    def __post_init__(self) -> None:
        _check_id(self.grid_id, smallest=0)


@dataclass(frozen=True)
class NoticeAudienceChoice(CallbackData, prefix="nta"):
    """Whom inside the chosen scope."""

    audience: Audience


DRAFT_FAMILIES: tuple[type[CallbackData], ...] = (
    NoticeDraftAction,
    NoticeScopeChoice,
    NoticeAudienceChoice,
)


def receipt_keyboard(notice_id: int) -> Keyboard:
    """[已阅] under a notice or a reminder of it."""
    return [[Button(texts.NOTICE_READ, data=NoticeRead(notice_id))]]


def read_keyboard(notice_id: int, *, when: str) -> Keyboard:
    """The receipt once confirmed: it says when (pressing it again changes nothing)."""
    return [[Button(texts.notice_read_button(when), data=NoticeRead(notice_id))]]


def skip_keyboard() -> Keyboard:
    return [[Button(texts.NOTICE_SKIP, data=NoticeDraftAction(DraftAction.SKIP))]]


def scopes_keyboard(scopes: Sequence[Scope]) -> Keyboard:
    return [[Button(s.label, data=NoticeScopeChoice(s.kind, s.grid_id))] for s in scopes]


def audiences_keyboard() -> Keyboard:
    return [
        [Button(texts.NOTICE_AUDIENCE_LABELS[a.value], data=NoticeAudienceChoice(a))]
        for a in Audience
    ]


def confirm_keyboard() -> Keyboard:
    return [
        [Button(texts.NOTICE_SEND, data=NoticeDraftAction(DraftAction.SEND))],
        [Button(texts.NOTICE_CANCEL, data=NoticeDraftAction(DraftAction.CANCEL))],
    ]


def panel_keyboard(notice_id: int) -> Keyboard:
    return [
        [
            Button(texts.NOTICE_REFRESH, data=NoticePanel(notice_id)),
            Button(texts.NOTICE_REMIND, data=NoticeRemind(notice_id)),
        ]
    ]


def list_keyboard(rows: Sequence[tuple[int, str]]) -> Keyboard:
    """One button per listed notice, `(notice id, label)`, opening its panel."""
    return [[Button(label, data=NoticePanel(notice_id))] for notice_id, label in rows]
