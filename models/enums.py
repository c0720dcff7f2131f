"""Domain vocabularies stored in the database (values are what users read)."""

from enum import IntEnum, StrEnum


class GridLevel(IntEnum):
    """The policy's three levels: the city, a town/street, a grid of about 20 survey objects."""

    CITY = 1
    TOWN = 2
    GRID = 3


class Industry(StrEnum):
    INDUSTRY = "工业"
    TRADE = "贸易"
    SERVICE = "服务业"
    CONSTRUCTION = "建筑业"
    REAL_ESTATE = "房地产"


class Scale(StrEnum):
    ABOVE_SCALE = "四上"
    CULTIVATED = "小升规培育"


class Role(StrEnum):
    ADMIN = "管理员"
    CITY_HEAD = "一级网格长"
    TOWN_HEAD = "二级网格长"
    TOWN_DEPUTY = "分管负责人"
    GRID_HEAD = "网格长"
    GRID_DEPUTY = "副网格长"
    INSTRUCTOR = "网格指导员"
    MEMBER = "网格员"


CITY_ROLES = frozenset({Role.ADMIN, Role.CITY_HEAD})
TOWN_ROLES = frozenset({Role.TOWN_HEAD, Role.TOWN_DEPUTY})
GRID_STAFF_ROLES = frozenset({Role.GRID_HEAD, Role.GRID_DEPUTY, Role.INSTRUCTOR})


class OutboxStatus(StrEnum):
    """Life of an outbox message: pending -> sending (claimed by a worker) -> sent or failed;
    skipped when its recipient became unreachable before it was sent."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"


class ActivityKind(StrEnum):
    """The policy's grid activities (学习、交流、探讨、团建) plus what towns commonly add."""

    STUDY = "学习"
    EXCHANGE = "交流"
    DISCUSSION = "探讨"
    TEAM = "团建"
    TRAINING = "培训"
    LAW = "法治宣传"
    VISIT = "走访服务"


class AttendanceStatus(StrEnum):
    CHECKED_IN = "已签到"
    LEAVE = "请假"


class CheckinMethod(StrEnum):
    CODE = "签到码"
    LINK = "二维码"
    LOCATION = "位置"
    ORGANISER = "组织者登记"


class QuestionStatus(StrEnum):
    """open: waiting for an instructor; answered: the asker has a reply and may follow up;
    closed: the asker (or an instructor) closed it."""

    OPEN = "待回复"
    ANSWERED = "已回复"
    CLOSED = "已关闭"


class CandidateStatus(StrEnum):
    PENDING = "待审核"
    APPROVED = "已通过"
    REJECTED = "未通过"


class ReminderStatus(StrEnum):
    """A claimed reminder was queued to the outbox, or skipped (its moment passed)."""

    QUEUED = "queued"
    SKIPPED = "skipped"
