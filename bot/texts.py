"""Every user-facing text of the bot, in one place (Simplified Chinese, Telegram HTML).

Values interpolated into these templates must be HTML-escaped by the caller (`esc`).
"""

from html import escape

from services.onboarding import BindOutcome


def esc(value: object) -> str:
    return escape(str(value), quote=False)


PRODUCT_NAME = "统计网格助手"

UNBOUND = (
    f"您好！我是<b>{PRODUCT_NAME}</b>，服务乐清市基层统计网格的企业统计员、网格指导员和网格长。\n\n"
    "您还没有绑定身份。请点击乡镇（街道）统计中心发给您的<b>个人邀请链接</b>"
    "（形如 https://t.me/…?start=…），打开后即可自动完成绑定。\n\n"
    "没有收到链接，或链接已失效？请联系您所在网格的网格指导员重新获取。"
)

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


ROLES_HEADING = "<b>您的身份</b>"
NO_POSTS = "花名册中暂未给您分配网格或角色，请联系网格指导员。"
CAN_DO_HEADING = "<b>您可以使用</b>"
HELP_HEADING = f"<b>{PRODUCT_NAME} · 使用说明</b>"
HELP_FOOTER = "在聊天输入框中输入 / 也可以看到这些指令。"

NOT_BOUND_FOR_COMMAND = "请先完成身份绑定后再使用此功能。" + "\n\n" + UNBOUND
FORBIDDEN = "抱歉，您的角色无权使用此功能。发送 /help 查看您可以使用的功能。"
FORBIDDEN_SCOPE = "抱歉，该网格不在您的管辖范围内。"
STALE_BUTTON = "该按钮已失效，请重新发送指令。"
UNKNOWN_INPUT = "没有理解您的意思。发送 /help 查看可以使用的功能。"
INTERNAL_ERROR = "抱歉，处理您的请求时出错了，请稍后再试。如多次出现，请联系管理员。"

ME_HEADING = "<b>我的信息</b>"
ME_ENTERPRISES = "<b>我负责统计的企业</b>"
ME_GRID_CONTACTS = "<b>网格联系人</b>"
NOT_PLACED = "（尚未划入三级网格）"
NOBODY = "暂无"

GRID_CHOOSE_TOWN = "<b>请选择乡镇（街道）</b>"
GRID_CHOOSE_GRID = "<b>{town}</b> 共 {count} 个网格，请选择："
GRID_CHOOSE_OWN = "<b>请选择网格</b>"
GRID_NONE = "您管辖范围内暂无已划分的网格。"
GRID_BACK = "« 返回"
BOUND_MARK = "已绑定"
UNBOUND_MARK = "未绑定"


def grid_summary(enterprises: int, bound: int) -> str:
    return f"企业 {enterprises} 家，统计员已绑定 {bound} 家"


def grid_label(name: str, enterprises: int) -> str:
    return f"{name}（{enterprises}家）"


# --- Statistics-law answers (/faq, /law, /tip, inline mode) ---------------------------------

FAQ_USAGE = (
    "请在 /faq 后面写上您的问题，例如：/faq 没有建立统计台账会被罚款吗\n也可以直接把问题发给我。"
)
FAQ_BASIS = "依据"
FAQ_SUGGEST = "没有找到完全匹配的答案。<b>您是不是想问：</b>"
FAQ_ABSTAIN = (
    "抱歉，知识库中没有找到能回答这个问题的法律条文或问答，我不想凭猜测回答您。\n"
    "您可以换个说法再问，或者向网格指导员提问。"
)
FAQ_SHOW_ARTICLE = "查看原文：{label}"
FAQ_ASK_INSTRUCTOR = "向指导员提问"
HANDOFF_HEADING = "<b>请联系您的网格指导员</b>（有 Telegram 账号的可点姓名直接私聊）："
HANDOFF_NOBODY = "花名册中暂未登记您所在网格的指导员，请联系乡镇（街道）统计中心。"
LAW_USAGE = (
    "查条文示例：\n/law 统计法 第四十四条\n/law 条例 17\n/law 44（默认为《统计法》）\n"
    "/law 浙江条例 第十条"
)
LAW_OLD_NUMBER_NOTE = "注意"
TIP_HEADING = "<b>法治小贴士</b>"
TIP_NEXT = "再来一条"
INLINE_BIND_FIRST = "绑定身份后使用"
INLINE_NO_ANSWER = "没有找到可靠答案：请换个说法，或私聊机器人向指导员提问"
KNOWLEDGE_DISCLAIMER = "以上为法律条文摘要，具体以有权机关的解释和处理为准。"


# --- Activities and check-in (/activity, /checkin, ?start=ci_) ------------------------------


# --- Questions to instructors (/ask, /questions) --------------------------------------------


# --- Notices with read receipts (/notice, /notices) -----------------------------------------


# --- My to-do (/todo) -----------------------------------------------------------------------
