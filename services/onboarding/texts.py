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


# Binding by phone number (services.onboarding.phone).
SHARE_PHONE_BUTTON = "📱 分享我的手机号"
ASK_PHONE = (
    f"您好！我是<b>{PRODUCT_NAME}</b>，服务乐清市基层统计网格的企业统计员、网格指导员和网格长。\n\n"
    "您还没有绑定身份。请点击下方的<b>「📱 分享我的手机号」</b>按钮，机器人会用花名册中登记的手机号为您绑定身份。"
    "手机号只用于核对身份，不会发给其他人。\n\n"
    "也可以点击乡镇（街道）统计中心发给您的个人邀请链接完成绑定。"
)
PHONE_BINDING_OFF = (
    "本市未开通手机号绑定，请点击乡镇（街道）统计中心发给您的个人邀请链接完成绑定；"
    "没有收到链接请联系网格指导员。"
)
PHONE_NOT_OWN = (
    "只能用您本人的手机号绑定：请点击下方的「📱 分享我的手机号」按钮，"
    "不要转发名片或发送他人的号码。"
)


def phone_unreadable(masked: str) -> str:
    return (
        f"读取到的号码 {esc(masked)} 不是大陆手机号，无法绑定。\n"
        "请联系网格指导员或乡镇统计中心核对花名册中的手机号，或使用个人邀请链接绑定。"
    )


def phone_unmatched(masked: str) -> str:
    return (
        f"花名册中没有找到手机号 {esc(masked)}。\n"
        "请联系网格指导员或乡镇统计中心核对花名册中的手机号；核对更正后再点按钮分享即可。"
    )


def phone_seat_taken(masked: str) -> str:
    return (
        f"手机号 {esc(masked)} 对应的人员已绑定了另一个 Telegram 账号。\n"
        "如需在这个账号上使用，请联系您的网格指导员办理换绑。"
    )


def phone_inactive(masked: str) -> str:
    return (
        f"手机号 {esc(masked)} 对应的人员已不在花名册中（已停用或由他人接替）。"
        "如有疑问请联系网格指导员。"
    )


# /unmatched (town staff and admins).
UNMATCHED_NONE = "最近30天没有未匹配的手机号绑定申请。"
UNMATCHED_HEADING = "<b>未匹配的手机号绑定申请</b>（最近30天，{count} 个号码，新的在前）"
UNMATCHED_LINE = "{at} · <code>{mobile}</code> · 海报：{town} · Telegram 名称：{name}"
UNMATCHED_HINT = (
    "这些号码在花名册中没有找到。请核对花名册（是否漏登、登记错号码），更正后重新导入；"
    "本人再点「📱 分享我的手机号」即可绑定。"
)
UNMATCHED_NOT_ALLOWED = "查看未匹配的绑定申请限乡镇（街道）负责人、网格指导员和管理员。"


# The join poster (services.onboarding.poster).
POSTER_TITLE = "{city}{town} 统计网格助手"
POSTER_SUBTITLE = "企业统计员、网格指导员、网格长扫码绑定身份"
POSTER_STEPS = (
    "1. 扫描上方二维码，在 Telegram 中打开机器人，点「开始」。",
    "2. 点输入框下方的「分享我的手机号」，与花名册一致即绑定。",
    "3. 提示找不到号码时，请联系网格指导员核对花名册。",
)
POSTER_NOT_ALLOWED = "生成绑定海报仅限市统计局管理员。"
POSTER_USAGE = "用法：<code>/poster 乡镇（街道）名称</code>。已有：{towns}"
POSTER_CAPTION = "扫码绑定海报（A4）：打印后贴在网格会议现场，扫码后分享手机号即可绑定。"
