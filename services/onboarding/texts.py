"""User-facing texts of onboarding (Simplified Chinese, Telegram HTML; interpolated values escaped by the caller with `esc`)."""

from core.formatting import esc
from services.onboarding import BindOutcome
from services.texts import PRODUCT_NAME

BIND_FAILURES: dict[BindOutcome, str] = {
    BindOutcome.MALFORMED: "这个邀请链接不完整或格式有误。请直接点击收到的完整链接，不要手动修改。",
    BindOutcome.UNKNOWN: "没有找到这个邀请链接。请确认使用的是发给您本人的最新链接，或联系网格指导员重新获取。",
    BindOutcome.USED: "这个邀请链接已经使用过了，每个链接只能使用一次。如需在新账号上使用，请联系网格指导员办理换绑。",
    BindOutcome.EXPIRED: "这个邀请链接已过期。请联系网格指导员重新获取邀请链接。",
    BindOutcome.REVOKED: "这个邀请链接已作废（已有更新的链接）。请使用最新收到的链接，或联系网格指导员。",
    BindOutcome.INACTIVE: "该人员已不在花名册中（已由他人接替），链接无法使用。如有疑问请联系网格指导员。",
    BindOutcome.SEAT_TAKEN: "该人员已绑定了另一个 Telegram 账号。如需更换账号，请联系网格指导员办理换绑。",
}


def account_taken(bound_as: str, invited: str) -> str:
    return (
        f"您的 Telegram 账号已绑定为「{esc(bound_as)}」，不能再绑定为「{esc(invited)}」。\n"
        "如果是人员变动或账号交接，请联系网格指导员或市统计局管理员办理换绑。"
    )


def bound_greeting(name: str) -> str:
    return f"绑定成功！{esc(name)}，欢迎使用{PRODUCT_NAME}。"


def already_bound(name: str) -> str:
    return f"您已绑定为{esc(name)}，无需重复绑定。"


def welcome_back(name: str) -> str:
    return f"{esc(name)}，您好！欢迎回到{PRODUCT_NAME}。"


# `gridbot invites export` (console text, not HTML).
def invites_not_written(*, out: object, reason: str) -> str:
    return f"无法写入 {out}：{reason}\n没有生成新链接，原有的邀请链接仍然有效。请检查路径和磁盘空间后重试。"


def invites_not_saved(*, out: object, reason: str) -> str:
    return f"新链接未能保存到数据库：{reason}\n已删除 {out}，原有的邀请链接仍然有效。请稍后重试。"
