"""Access control in one place: who may do what, and over which grids.

Every handler declares the capability it needs; callbacks are checked again against the
viewer's scope on the server, because callback data can be forged by a client.
"""

from dataclasses import dataclass
from enum import StrEnum

from models.enums import CITY_ROLES, GRID_STAFF_ROLES, TOWN_ROLES, GridLevel, Role


class Capability(StrEnum):
    USE_BOT = "use_bot"
    VIEW_GRIDS = "view_grids"
    ORGANISE_ACTIVITIES = "organise_activities"
    ANSWER_QUESTIONS = "answer_questions"
    SEND_NOTICES = "send_notices"
    REVIEW_FAQ = "review_faq"


_STAFF = frozenset({Capability.USE_BOT, Capability.VIEW_GRIDS})

ROLE_CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.MEMBER: frozenset({Capability.USE_BOT}),
    # The 副网格长 answers questions when the instructor cannot (the policy's backup).
    Role.GRID_DEPUTY: _STAFF | {Capability.ANSWER_QUESTIONS},
    Role.INSTRUCTOR: _STAFF
    | {Capability.ORGANISE_ACTIVITIES, Capability.ANSWER_QUESTIONS, Capability.SEND_NOTICES},
    Role.GRID_HEAD: _STAFF | {Capability.ORGANISE_ACTIVITIES, Capability.SEND_NOTICES},
    # The 分管负责人 runs the grids day to day: escalated questions and town-wide notices.
    Role.TOWN_DEPUTY: _STAFF | {Capability.ANSWER_QUESTIONS, Capability.SEND_NOTICES},
    Role.TOWN_HEAD: _STAFF,
    Role.CITY_HEAD: _STAFF,
    Role.ADMIN: _STAFF | {Capability.SEND_NOTICES, Capability.REVIEW_FAQ},
}


@dataclass(frozen=True)
class Post:
    """One role a person holds on one grid node."""

    role: Role
    grid_id: int
    grid_name: str
    level: GridLevel
    # The town (level-2 grid) the post lies in; None for city posts.
    town_id: int | None
    town_name: str | None


@dataclass(frozen=True)
class Viewer:
    """A bound person as the bot sees them: identity plus every post they hold."""

    person_id: int
    name: str
    posts: tuple[Post, ...]

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(post.role for post in self.posts)

    def can(self, capability: Capability) -> bool:
        return any(capability in ROLE_CAPABILITIES[role] for role in self.roles)

    @property
    def is_city_wide(self) -> bool:
        return bool(self.roles & CITY_ROLES)

    @property
    def town_ids(self) -> frozenset[int]:
        """Towns this person leads (二级网格长 or 分管负责人)."""
        return frozenset(post.grid_id for post in self.posts if post.role in TOWN_ROLES)

    @property
    def staffed_grid_ids(self) -> frozenset[int]:
        """Level-3 grids where this person is 网格长, 副网格长 or 网格指导员."""
        return frozenset(
            post.grid_id
            for post in self.posts
            if post.role in GRID_STAFF_ROLES and post.level == GridLevel.GRID
        )

    def may_view_town(self, town_id: int) -> bool:
        return self.can(Capability.VIEW_GRIDS) and (self.is_city_wide or town_id in self.town_ids)

    def may_view_grid(self, *, grid_id: int, town_id: int) -> bool:
        """Whether the roster of a level-3 grid is within this viewer's scope."""
        if not self.can(Capability.VIEW_GRIDS):
            return False
        return self.is_city_wide or town_id in self.town_ids or grid_id in self.staffed_grid_ids


@dataclass(frozen=True)
class CommandSpec:
    """A bot command shown in menus and explained in /help.

    `capability` None means the command is for everyone, bound or not. `roles`, when set,
    narrows it to holders of one of those roles (the command's handler checks the same), so
    that a menu lists exactly what its viewer may do.
    """

    command: str
    description: str
    help: str
    capability: Capability | None
    roles: frozenset[Role] | None = None

    def visible_to(self, viewer: "Viewer | None") -> bool:
        if self.capability is None:
            return True
        if viewer is None or not viewer.can(self.capability):
            return False
        return self.roles is None or bool(viewer.roles & self.roles)


def dial_mobile(mobile: str) -> str:
    """+86 13812345678: the number in full, in the international form Telegram's apps turn
    into a tap-to-call link. Only for people who should reach each other: a member and their
    own grid's staff."""
    return f"+86 {mobile}" if len(mobile) == 11 and mobile.isdigit() else mobile


def shown_mobile(mobile: str, *, in_full: bool) -> str:
    return dial_mobile(mobile) if in_full else mask_mobile(mobile)


def mask_mobile(mobile: str) -> str:
    """138****5678: enough to recognise a number without exposing it."""
    if len(mobile) != 11:
        return "*" * len(mobile)
    return f"{mobile[:3]}****{mobile[-4:]}"
