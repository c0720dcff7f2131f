"""Every user-facing text of the bot, in one place (Simplified Chinese, Telegram HTML).

Values interpolated into these templates must be HTML-escaped by the caller (`esc`).
"""

import functools
from html import escape

from services.onboarding import BindOutcome


def esc(value: object) -> str:
    text = str(value)
    # Most names and texts have nothing to escape: skip html.escape's three replaces (a sweep
    # of the duties escapes a hundred thousand names).
    if "&" in text or "<" in text or ">" in text:
        return escape(text, quote=False)
    return text


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

# Imported here rather than at the top so that this section stays self-contained for merging.
from datetime import datetime as _datetime  # noqa: E402
from zoneinfo import ZoneInfo as _ZoneInfo  # noqa: E402

from models.tables import Activity as _Activity  # noqa: E402

_WEEKDAYS = "一二三四五六日"

ACT_NOT_ORGANISER_GRIDS = "您目前不是任何三级网格的网格长或网格指导员，无法发起网格活动。"
ACT_KIND_PROMPT = "<b>发起网格活动</b>（随时发送 /cancel 取消）\n\n第 1 步：请选择活动类型："
ACT_TITLE_PROMPT = "第 2 步：请输入活动主题（100 字以内），例如：2026年统计法治学习交流会"
ACT_TITLE_BAD = "活动主题不能为空，且不超过 100 字，请重新输入："
ACT_WINDOW_PROMPT = (
    "第 3 步：请输入活动日期和时间段，例如：\n"
    "• 12月3日 14:00-16:00\n• 2026-12-03 14:00-16:00\n• 明天 9:30-11"
)
ACT_WINDOW_ERRORS = {
    "format": "没有看懂这个时间。请按“日期 开始-结束”的格式输入，例如：12月3日 14:00-16:00，或：明天 9:30-11",
    "order": "结束时间必须晚于开始时间，请重新输入，例如：12月3日 14:00-16:00",
    "past": "这个时间段已经过去了，请输入今后的时间，例如：明天 9:30-11",
}
ACT_PLACE_PROMPT = "第 4 步：请输入活动地点（200 字以内），例如：虹桥镇政府三楼会议室"
ACT_PLACE_BAD = "活动地点不能为空，且不超过 200 字，请重新输入："
ACT_LOCATION_PROMPT = (
    "第 5 步（可选）：如需按位置核验签到，请点输入框旁的 📎 →“位置”，发送活动地点的地图位置；"
    "签到时网格员须在该位置附近。不需要请点 [跳过]。"
)
ACT_LOCATION_SKIP = "跳过"
ACT_LOCATION_SAVED = "已记录活动位置。"
ACT_LOCATION_OR_SKIP = "请发送活动地点的地图位置，或点 [跳过]。"
ACT_GRIDS_PROMPT = "第 6 步：请选择参加活动的网格（可多选，选好后点 [完成]）："
ACT_GRIDS_DONE = "完成"
ACT_GRIDS_NONE_CHOSEN = "请至少选择一个网格。"
ACT_CONFIRM = "确认发布"
ACT_CANCEL = "取消"
ACT_PREVIEW_HEADING = "<b>请确认活动信息</b>"
ACT_PREVIEW_FOOTER = "确认后将向以上网格的网格员和网格工作人员发送活动邀请。"
ACT_CANCELLED = "已取消发起活动，没有保存任何内容。"
ACT_TIMED_OUT = (
    "发起活动已超时（15 分钟未操作），没有保存任何内容。如需发起，请重新发送 /activity。"
)
ACT_PUBLISH_ERRORS = {
    "incomplete": "活动信息不完整，请重新发送 /activity 发起。",
    "grids": "所选网格不在您组织活动的范围内，请重新发送 /activity 发起。",
    "past": "活动时间已经过去，请重新发送 /activity 并输入今后的时间。",
}
ACT_WAITING_BUTTON = "请点击上方的按钮继续，或发送 /cancel 取消。"

CHECKIN_USAGE = "请发送现场显示的 6 位签到码，例如：123456（发送 /cancel 取消）。"
CHECKIN_NO_OPEN = "您目前没有正在签到的活动。签到在活动开始前 30 分钟开放，活动结束时关闭。"
CHECKIN_OPEN_HEADING = "<b>正在签到的活动</b>"
CHECKIN_BAD_CODE_FORMAT = "签到码是 6 位数字，请重新发送（或发送 /cancel 取消）："
CHECKIN_STOPPED = "已退出签到。"
CHECKIN_LOCATION_BUTTON = "📍 发送我的位置"
CHECKIN_LOCATION_CANCEL = "取消签到"
CHECKIN_NO_PENDING = "没有待核验位置的签到。如需签到，请发送 /checkin 加现场签到码。"
CHECKIN_PENDING_EXPIRED = "位置核验已超时，请重新输入签到码或扫描二维码签到。"
CHECKIN_WRONG_CODE = "签到码不正确。请核对现场显示的 6 位签到码后重新发送 /checkin 签到码。"
CHECKIN_STALE_CODE = (
    "这个签到码已过期（签到码每隔一段时间更新，转发的旧签到码无效）。请以现场显示的最新签到码为准。"
)
CHECKIN_UNKNOWN_LINK = (
    "这个签到链接无效或已失效。请扫描现场的签到二维码，或发送 /checkin 加签到码。"
)


def _day(moment: _datetime, tz: _ZoneInfo) -> str:
    local = moment.astimezone(tz)
    return f"{local.month}月{local.day}日（周{_WEEKDAYS[local.weekday()]}）"


def clock(moment: _datetime, tz: _ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%H:%M")


def activity_when(activity: _Activity, tz: _ZoneInfo) -> str:
    return f"{_day(activity.starts_at, tz)} {clock(activity.starts_at, tz)}-{clock(activity.ends_at, tz)}"


def activity_name(activity: _Activity) -> str:
    return f"【{esc(activity.kind.value)}】{esc(activity.title)}"


def activity_summary(
    *,
    kind: str,
    title: str,
    when: str,
    place: str,
    located: bool,
    grids: list[str],
) -> str:
    lines = [
        f"类型：{esc(kind)}",
        f"主题：{esc(title)}",
        f"时间：{esc(when)}",
        f"地点：{esc(place)}" + ("（签到需核验位置）" if located else ""),
        f"网格：{esc('、'.join(grids))}",
    ]
    return "\n".join(lines)


def activity_invitation(
    activity: _Activity, *, organiser: str, grids: list[str], tz: _ZoneInfo
) -> str:
    located = activity.latitude is not None and activity.longitude is not None
    return (
        f"📅 <b>网格活动邀请</b>\n\n{activity_name(activity)}\n"
        f"时间：{activity_when(activity, tz)}\n地点：{esc(activity.place)}\n"
        f"网格：{esc('、'.join(grids))}\n组织者：{esc(organiser)}\n\n"
        "请准时参加。到场后扫描现场的签到二维码，或发送 /checkin 加现场显示的 6 位签到码签到"
        + ("（需发送您的位置核验）" if located else "")
        + "。签到在活动开始前 30 分钟开放。\n如不能参加，请向组织者请假。"
    )


def activity_absent_reminder(activity: _Activity, *, organiser: str, tz: _ZoneInfo) -> str:
    return (
        f"⏰ <b>活动未签到提醒</b>\n\n{activity_name(activity)}（{activity_when(activity, tz)}，"
        f"{esc(activity.place)}）已结束，系统中没有您的签到或请假记录。\n"
        f"如确有原因未能参加，请向组织者{esc(organiser)}说明，由其登记请假。"
    )


def activity_published(invited: int, queued: int) -> str:
    unbound = invited - queued
    extra = f"；其中 {unbound} 人尚未绑定机器人，收不到邀请，请另行通知" if unbound else ""
    return (
        f"✅ 活动已发布，已向 {queued} 人发送邀请{extra}。\n"
        "发送 /activities 查看签到码、签到二维码和签到情况。"
    )


def checkin_done(activity: _Activity, at: _datetime, tz: _ZoneInfo) -> str:
    return f"✅ 签到成功！{activity_name(activity)}，签到时间 {clock(at, tz)}。"


def checkin_already(activity: _Activity, at: _datetime | None, tz: _ZoneInfo) -> str:
    when = f"于 {clock(at, tz)} " if at is not None else ""
    return f"您已{when}签到{activity_name(activity)}，无需重复签到。"


def checkin_not_open(activity: _Activity, opens: _datetime, tz: _ZoneInfo) -> str:
    return (
        f"{activity_name(activity)}的签到尚未开始：活动时间 {activity_when(activity, tz)}，"
        f"签到从 {_day(opens, tz)} {clock(opens, tz)} 开放。"
    )


def checkin_ended(activity: _Activity, tz: _ZoneInfo) -> str:
    return (
        f"{activity_name(activity)}已于 {_day(activity.ends_at, tz)} {clock(activity.ends_at, tz)} "
        "结束，签到已关闭。如有特殊情况请联系组织者登记。"
    )


def checkin_cancelled(activity: _Activity) -> str:
    return f"{activity_name(activity)}已取消，无需签到。"


def checkin_not_member(activity: _Activity) -> str:
    return f"您不在{activity_name(activity)}的参加网格中，无法签到。如有疑问请联系您的网格指导员。"


def checkin_organiser(activity: _Activity) -> str:
    return f"您是{activity_name(activity)}的组织者，无需签到。发送 /activities 查看签到情况。"


def checkin_need_location(activity: _Activity, radius_m: int) -> str:
    return (
        f"{activity_name(activity)}需要核验位置：请点下方的 [{CHECKIN_LOCATION_BUTTON}]，"
        f"在活动地点 {radius_m} 米范围内即可完成签到。"
    )


def checkin_too_far(activity: _Activity, distance_m: float, radius_m: int) -> str:
    away = f"{distance_m / 1000:.1f} 公里" if distance_m >= 1000 else f"{distance_m:.0f} 米"
    return (
        f"您距{activity_name(activity)}的地点约 {away}，超出签到范围（{radius_m} 米）。"
        "请到达活动地点后重新发送位置。"
    )


def open_activity_line(activity: _Activity, tz: _ZoneInfo) -> str:
    return f"• {activity_name(activity)} {activity_when(activity, tz)} @ {esc(activity.place)}"


ACTS_HEADING_MANAGED = "<b>我组织 / 管理的活动</b>（点按钮查看签到情况）"
ACTS_HEADING_JOINED = "<b>我参加的活动</b>"
ACTS_NONE = "近期没有您的网格活动。"
ACTS_CHECKED_IN = "已签到"
ACTS_ON_LEAVE = "已请假"
ACTS_NOT_CHECKED_IN = "未签到"

PANEL_CODE = "签到码：<code>{code}</code>（{until} 前有效，每 {seconds} 秒更新）"
PANEL_CODE_HINT = "请网格员发送 /checkin {code} 或扫描签到二维码签到。"
PANEL_NO_CODE_ENDED = "活动已结束，签到已关闭。"
PANEL_NO_CODE_CANCELLED = "活动已取消。"
PANEL_ATTENDANCE = "<b>签到情况</b>：已签到 {checked} 人，请假 {leave} 人，未签到 {absent} 人"
PANEL_CHECKED_IN = "已签到"
PANEL_LEAVE = "请假"
PANEL_ABSENT = "未签到"
PANEL_NOBODY = "（本活动的网格暂无人员）"
PANEL_REMINDED = "已提醒未签到人员。"
PANEL_REFRESH = "刷新签到码"
PANEL_QR = "签到二维码"
PANEL_REMIND = "提醒未签到"
PANEL_LEAVE_BUTTON = "登记请假"
PANEL_QR_CAPTION = "{name}\n签到二维码：请网格员用手机扫码签到，或打开链接：{link}"
PANEL_REMIND_QUEUED = "已向 {queued} 名未签到人员发送提醒。"
PANEL_REMIND_UNBOUND = "另有 {count} 人未绑定机器人，请电话联系。"
PANEL_REMIND_ALREADY = "本活动已经提醒过未签到人员，每个活动只提醒一次。"
PANEL_REMIND_NOT_ENDED = "活动结束后才能提醒未签到人员。"
PANEL_REMIND_NOBODY = "所有人都已签到或请假，无需提醒。"
PANEL_FORBIDDEN = "您不是该活动的组织者或其网格的工作人员，无权查看或操作。"
LEAVE_CHOOSE = "请选择要登记请假的人员："
LEAVE_NOBODY = "没有可登记请假的人员（都已签到）。"
LEAVE_ASK_REASON = "请输入{name}的请假原因（200 字以内，发送 /cancel 取消）："
LEAVE_REASON_BAD = "请假原因不能为空，且不超过 200 字，请重新输入："
LEAVE_RECORDED = "已登记{name}请假：{reason}"
LEAVE_CHECKED_IN = "该人员已经签到，不能登记请假。"
LEAVE_NOT_MEMBER = "该人员不在本活动的网格中。"
LEAVE_CANCELLED = "已取消登记请假。"

TODO_ACTIVITY_SECTION = "活动"


def activity_todo(activity: _Activity, *, open_now: bool, tz: _ZoneInfo) -> str:
    action = "正在签到：到场后发送 /checkin 签到码" if open_now else "待参加"
    return f"{activity_name(activity)} {activity_when(activity, tz)} @ {esc(activity.place)}（{action}）"


def activity_todo_organiser(activity: _Activity, *, tz: _ZoneInfo) -> str:
    return (
        f"今天组织：{activity_name(activity)} {activity_when(activity, tz)} @ {esc(activity.place)}"
        "（/activities 查看签到码和签到情况）"
    )


# --- Questions to instructors (/ask, /questions) --------------------------------------------

ASK_PROMPT = "请写下您要问网格指导员的问题（一条消息写完整）。发送 /cancel 取消。"
ASK_PREFILLED = (
    "将把以下问题转给您的网格指导员：\n\n<blockquote>{text}</blockquote>\n\n"
    "确认提交请点「提交问题」；要改写，直接发送新的问题文字。发送 /cancel 取消。"
)
ASK_SUBMIT = "提交问题"
ASK_NOT_IN_GRID = (
    "只有三级网格中的网格员（企业统计员）和网格工作人员可以向网格指导员提问。\n"
    "统计法律问题可以直接发给我，或使用 /faq。"
)
ASK_NOBODY = "您所在网格暂时没有可以接收问题的网格指导员或副网格长，请联系乡镇（街道）统计中心。"
ASK_TOO_LONG = "问题太长了，请控制在 {limit} 字以内。"
ASK_EMPTY = "问题不能为空，请写下您的问题。"
ASK_KB_HEADING = "提交前，请先看看知识库里这几条是否已经回答了您的问题："
ASK_KB_ITEM = "{number}. <b>{title}</b>\n{snippet}"
ASK_KB_VIEW = "查看：{title}"
ASK_SOLVED = "已解决"
ASK_STILL = "仍需提问"
ASK_SOLVED_DONE = "好的，问题已解决，未提交给指导员。"
ASK_FILED = (
    "✅ 问题已提交给{role} {name}（编号 #{id}）。\n回复会在这里通知您；发送 /todo 查看您的待办。"
)
ASK_CANCELLED = "已取消，没有提交任何内容。"
ASK_STALE = "这个提问已经结束（已提交、已取消或已超时）。需要时请重新发送 /ask。"
ASK_TIMEOUT = "操作超时，已取消。需要时请重新发送 /ask。"
QUESTIONS_CANCEL_NOTHING = "当前没有进行中的操作。"

QUESTION_NOTIFY = (
    "📨 <b>新问题 #{id}</b>（{grid}）\n提问人：网格员 {asker}\n\n<blockquote>{text}</blockquote>"
)
QUESTION_FOLLOWUP_NOTIFY = (
    "📨 <b>问题 #{id} 有追问</b>（{grid}）\n提问人：{asker}\n\n<blockquote>{text}</blockquote>"
)
QUESTION_TRANSFER_NOTIFY = (
    "📨 <b>问题 #{id} 已由 {by} 转交给您</b>（{grid}）\n提问人：{asker}\n\n"
    "<blockquote>{text}</blockquote>"
)
QUESTION_REMIND = (
    "⏰ <b>提醒：问题 #{id} 已等待约 {hours} 个工作小时</b>（{grid}）\n提问人：{asker}\n\n"
    "<blockquote>{text}</blockquote>"
)
QUESTION_ESCALATE = (
    "⚠️ <b>超时未回复：问题 #{id}</b>（{grid}）\n提问人：{asker}，当前负责：{assignee}，"
    "已等待约 {hours} 个工作小时。\n\n<blockquote>{text}</blockquote>"
)
QUESTION_NOBODY_ASSIGNED = "（无人负责）"
QUESTION_ANSWER_RELAY = (
    "💬 <b>{role} {name} 回复了您的问题 #{id}</b>\n\n<blockquote>{question}</blockquote>\n{answer}"
)
QUESTION_REPLY = "回复"
QUESTION_TRANSFER = "转交"
QUESTION_FOLLOW = "追问"
QUESTION_CLOSE = "已解决，关闭"
QUESTION_ADD_TO_KB = "加入知识库"
QUESTION_REPLY_PROMPT = "请发送对问题 #{id} 的回复（一条文字消息）。发送 /cancel 取消。\n\n<blockquote>{text}</blockquote>"
QUESTION_FOLLOW_PROMPT = "请写下您对问题 #{id} 的追问。发送 /cancel 取消。"
QUESTION_REPLIED = "✅ 回复已发送给 {asker}。如果这个回答对其他网格员也有用，可以提交到知识库。"
QUESTION_FOLLOWED = "✅ 追问已发送给 {name}。"
QUESTION_CLOSED = "✅ 问题 #{id} 已关闭，感谢您的反馈。"
QUESTION_ALREADY_CLOSED = "该问题已关闭。"
QUESTION_NOT_YOURS = "您无权处理这个问题。"
QUESTION_TRANSFER_CHOOSE = "把问题 #{id} 转交给："
QUESTION_TRANSFER_NOBODY = "本乡镇（街道）没有其他可以转交的指导员、副网格长或分管负责人。"
QUESTION_TRANSFERRED = "✅ 问题 #{id} 已转交给{role} {name}。"
QUESTION_TRANSFER_TARGET = "{role} {name}（{place}）"
QUESTIONS_NONE = "目前没有等待您回复的问题。"
QUESTIONS_HEADING = "<b>等待您回复的问题</b>（{count}个，最早的在前）："
QUESTIONS_LINE = "#{id} {asker}（{grid}）· 已等待 {waited}：{text}"
QUESTIONS_REPLY_BUTTON = "回复 #{id}"
WAITED_DAYS = "{days}天{hours}小时"
WAITED_HOURS = "{hours}小时"

CANDIDATE_CREATED = "✅ 已提交到知识库待审核，管理员审核通过后，其他网格员就能搜到这条解答。"
CANDIDATE_EXISTS = "这个问题的解答已经提交过了（{status}）。"
CANDIDATE_NO_ANSWER = "这个问题还没有回复，无法加入知识库。"
FAQREVIEW_NONE = "没有待审核的知识库条目。"
FAQREVIEW_ITEM = (
    "<b>待审核 #{id}</b>（{author}，{date}）\n<b>问：</b>{question}\n<b>答：</b>{answer}"
)
FAQREVIEW_APPROVE = "通过"
FAQREVIEW_REJECT = "驳回"
FAQREVIEW_APPROVED = "✅ 已通过，知识库检索现在可以找到这条解答。"
FAQREVIEW_REJECTED = "已驳回。"
FAQREVIEW_DONE_BEFORE = "该条目已经审核过了（{status}）。"
FAQ_LOCAL_SOURCE = "来源"
FAQ_LOCAL_ATTRIBUTION = "网格指导员解答（审核通过，{date}）"
FAQ_LOCAL_NOTE = "本条为网格指导员的经验解答，不是法律条文。"

TODO_MY_QUESTIONS = "我的提问"
TODO_TO_ANSWER = "待我回复"
TODO_QUESTION_WAITING = "#{id} 等待指导员回复：{text}"
TODO_QUESTION_ANSWERED = "#{id} 已回复，请查看并确认关闭：{text}"
TODO_QUESTION_TO_ANSWER = "#{id} {asker}：{text}（/questions）"


# --- Notices with read receipts (/notice, /notices) -----------------------------------------

NOTICE_ASK_TEXT = "请发送通知正文（文字）。\n随时发送 /cancel 取消，取消前不会发出任何内容。"
NOTICE_TEXT_EMPTY = "通知正文不能为空，请发送文字内容。"
NOTICE_ASK_MEDIA = "如需附带<b>图片或文件</b>，请现在发送；不需要请点「跳过」。"
NOTICE_MEDIA_WRONG = "请发送一张图片或一个文件，或点「跳过」。"
NOTICE_SKIP = "跳过"
NOTICE_ASK_TARGET = "<b>发送给谁？</b>请选择范围："
NOTICE_NO_TARGETS = (
    "您的角色暂时没有可以发送通知的范围（需为网格指导员、网格长、分管负责人或管理员）。"
)
NOTICE_ASK_ROLE = "<b>{scope}</b>\n请选择接收人："
NOTICE_EMPTY_AUDIENCE = "所选范围内没有可接收通知的人员，请重新选择。"
NOTICE_SEND = "确认发送"
NOTICE_CANCEL = "取消"
NOTICE_CANCELLED = "已取消，通知没有发出。"
NOTICE_TIMEOUT = "通知编辑超过15分钟未完成，已自动取消，没有发出任何内容。"
NOTICE_STALE = "该按钮已失效，请重新发送 /notice。"
NOTICE_NOT_RECIPIENT = "这条通知不是发给您的，无法确认。"
NOTICE_NOT_SENDER = "只有通知的发送人或管理员可以查看这条通知的回执。"
NOTICE_UNKNOWN = "没有找到这条通知。"
NOTICE_READ = "已阅"
NOTICE_ALREADY_READ = "您已确认过这条通知，无需重复确认。"
NOTICE_REFRESH = "刷新"
NOTICE_REMIND = "提醒未读"
NOTICE_NONE_SENT = "您还没有发过通知。发送 /notice 编写一条。"
NOTICE_LIST_HEADING = "<b>我最近发出的通知</b>（点击查看回执）"
NOTICE_REMIND_NOBODY = "没有需要提醒的人：未阅的人员都未绑定或已屏蔽机器人（或全部已阅）。"
NOTICE_TODO_SECTION = "待确认通知"
NOTICE_SCOPE_GRID = "我的网格：{name}"
NOTICE_SCOPE_TOWN = "{name}全镇（街道）"
NOTICE_SCOPE_CITY = "全市（{name}）"
NOTICE_AUDIENCE_LABELS = {
    "all": "全体人员",
    "member": "仅网格员",
    "head": "仅网格长",
    "instructor": "仅网格指导员",
}
NOTICE_MEDIA_LABELS = {"photo": "图片", "document": "文件"}


def notice_read_button(when: str) -> str:
    return f"✅ 已阅 ({when})"


def notice_preview(
    *, body: str, media: str | None, target: str, total: int, unbound: int, unreachable: int
) -> str:
    lines = ["<b>通知预览</b>", "", esc(body), ""]
    if media:
        lines.append(f"附件：{media}")
    lines.append(f"发送范围：{esc(target)}")
    lines.append(f"接收人：<b>{total}</b> 人")
    if unbound or unreachable:
        lines.append(f"其中 {unbound} 人未绑定、{unreachable} 人已屏蔽机器人，暂时无法送达。")
    lines.append("")
    lines.append("确认无误后点「确认发送」。")
    return "\n".join(lines)


def notice_message(*, sender: str, body: str, target: str) -> str:
    """What recipients receive; `body` is the sender's text, escaped here."""
    return (
        f"📢 <b>通知</b>（{esc(sender)}·{esc(target)}）\n\n{esc(body)}\n\n"
        "请阅读后点下方「已阅」确认。"
    )


def notice_reminder(*, sender: str, sent_at: str, body: str) -> str:
    return (
        f"⏰ <b>提醒</b>：{esc(sender)}于 {sent_at} 发出的通知您还没有确认，"
        f"请阅读后点「已阅」。\n\n{esc(body)}"
    )


def notice_excerpt(body: str, limit: int = 24) -> str:
    flat = " ".join(body.split())
    return esc(flat if len(flat) <= limit else flat[: limit - 1] + "…")


def notice_panel(
    *,
    notice_id: int,
    excerpt: str,
    target: str,
    sent_at: str,
    counts: dict[str, int],
    unread: list[str],
    updated_at: str,
) -> str:
    """The sender's status panel; `unread` names are escaped here, `excerpt` already is."""
    lines = [
        f"<b>通知 #{notice_id}</b>：{excerpt}",
        f"范围：{esc(target)}　发送于 {sent_at}",
        "",
        f"接收人 {counts['total']} 人：已送达 {counts['sent']}，<b>已阅 {counts['read']}</b>，"
        f"发送中 {counts['pending']}，失败 {counts['failed']}，"
        f"已屏蔽 {counts['blocked']}，未绑定 {counts['unbound']}",
    ]
    if unread:
        shown = "、".join(esc(name) for name in unread[:60])
        more = f" 等 {len(unread)} 人" if len(unread) > 60 else ""
        lines += ["", f"<b>未阅（{len(unread)}）</b>：{shown}{more}"]
    else:
        lines += ["", "全部已阅。"]
    lines += ["", f"更新于 {updated_at}"]
    return "\n".join(lines)


def notice_list_line(*, notice_id: int, excerpt: str, sent_at: str, read: int, total: int) -> str:
    return f"#{notice_id} {sent_at} {excerpt}（已阅 {read}/{total}）"


def notice_list_button(*, notice_id: int, read: int, total: int) -> str:
    return f"#{notice_id} 回执 {read}/{total}"


def notice_reminded(count: int) -> str:
    return f"已向 {count} 位未阅人员发送提醒。"


def notice_remind_too_soon(*, when: str, minutes: int) -> str:
    every = "每小时" if minutes == 60 else f"每 {minutes} 分钟"
    return f"提醒过于频繁：每条通知{every}最多提醒一次，{when} 后可再次提醒。"


def notice_todo_line(*, excerpt: str, sender: str, sent_at: str) -> str:
    return f"{excerpt}（{esc(sender)}，{sent_at}）——请在通知消息下点「已阅」"


NOTICE_UNBOUND_MARK = "（未绑定）"
NOTICE_BLOCKED_MARK = "（已屏蔽）"


# --- My to-do (/todo) -----------------------------------------------------------------------
TODO_HEADING = "<b>我的待办</b>"
TODO_EMPTY = "暂无待办事项 👍"


# --- Monthly grid reports and quarterly activities (/report, digest, [已听取汇报]) ------------
REPORT_PARTS = (
    "本月开展的网格活动",
    "企业报表报送及数据质量问题",
    "需要协调帮助的事项",
    "下月工作计划",
)
REPORT_USE_SUGGESTION = "使用建议"
REPORT_NOTHING = "暂无"
REPORT_SUBMIT = "提交"
REPORT_CANCEL = "取消"
REPORT_HEARD = "已听取汇报"
REPORT_NOT_GRID_HEAD = (
    "月度情况汇报由三级网格的网格长提交；您不是三级网格的网格长。"
    "截止日后，二级网格长和分管负责人会收到本镇各网格的汇报汇总。"
)
REPORT_CHOOSE_GRID = "您是多个网格的网格长，请选择要汇报的网格："
REPORT_TEXT_BAD = "内容不能为空，且不超过 {limit} 字，请重新发送。"
REPORT_PRESS_A_BUTTON = "请点上方按钮，或直接发送文字；发送 /cancel 放弃本次汇报。"
REPORT_CANCELLED = "已取消，本次汇报没有保存。"
REPORT_TIMED_OUT = "汇报填写超时，没有保存；需要时请重新发送 /report。"
REPORT_PREVIEW_FOOTER = "确认无误请点「提交」；发送 /cancel 放弃。"
REPORT_LOCKED = (
    "{grid} {period}的汇报已于 {when} 提交，本镇汇总已发出，不能再修改。"
    "如需补充，请直接联系二级网格长。"
)
REPORT_NOT_FOUND = "该汇报不存在或不在您的查看范围内。"
REPORT_HEARING_FORBIDDEN = "只有本镇（街道）的二级网格长可以确认听取汇报。"
REPORT_HEARING_TOO_EARLY = "本期汇报尚未汇总，汇总发出后再确认听取。"
REPORT_HEARING_DONE = "已记录：您已听取{town}{period}网格情况汇报（{when}）。"
REPORT_HEARING_ALREADY = "{town}{period}的汇报已由{name}于 {when} 确认听取。"
REPORT_TODO_SECTION = "网格职责"
QUARTER_NONE = "（无）"


def period_label(period: str) -> str:
    """ "2026-12" -> "2026年12月"."""
    year, month = period.split("-")
    return f"{year}年{int(month)}月"


def quarter_label(quarter: str) -> str:
    """ "2026Q4" -> "2026年第四季度"."""
    year, number = quarter.split("Q")
    return f"{year}年第{'一二三四'[int(number) - 1]}季度"


def report_step(*, index: int, suggestion: str | None, existing: bool) -> str:
    """One step of /report; `suggestion` is already escaped HTML."""
    lines = []
    if existing and index == 0:
        lines += ["ℹ️ 本月汇报已提交过，再次提交将替换原汇报。", ""]
    lines.append(f"<b>第{index + 1}步/共4步：{REPORT_PARTS[index]}</b>")
    if suggestion:
        lines += [
            "",
            "根据机器人记录，建议填写：",
            f"<blockquote>{suggestion}</blockquote>",
            "",
            f"点「{REPORT_USE_SUGGESTION}」采用，或直接发送您要填写的内容。",
        ]
    else:
        lines += ["", f"请直接发送内容；没有可点「{REPORT_NOTHING}」。"]
    return "\n".join(lines)


def report_body(*, parts: tuple[str, str, str, str]) -> str:
    """The four parts of a report; the parts are user text, escaped here."""
    lines: list[str] = []
    for title, body in zip(REPORT_PARTS, parts, strict=True):
        lines += [f"<b>{title}</b>", esc(body), ""]
    return "\n".join(lines).rstrip()


def report_preview(*, grid: str, period: str, parts: tuple[str, str, str, str]) -> str:
    return (
        f"<b>{esc(grid)} {period_label(period)}网格情况汇报（预览）</b>\n\n"
        f"{report_body(parts=parts)}\n\n{REPORT_PREVIEW_FOOTER}"
    )


def report_view(
    *,
    grid: str,
    period: str,
    author: str,
    submitted: str,
    late: bool,
    parts: tuple[str, str, str, str],
) -> str:
    mark = "（逾期提交）" if late else ""
    return (
        f"📄 <b>{esc(grid)} {period_label(period)}网格情况汇报</b>\n"
        f"网格长 {esc(author)}，提交于 {submitted}{mark}\n\n{report_body(parts=parts)}"
    )


def report_submitted(*, grid: str, period: str, late: bool, replaced: bool) -> str:
    text = f"✅ 已提交{esc(grid)} {period_label(period)}网格情况汇报。"
    if replaced:
        text += "原汇报已被替换。"
    if late:
        text += "\n本镇汇总已发出，本汇报记为逾期提交，并已转给二级网格长和分管负责人。"
    return text


def report_heard_button(when: str) -> str:
    return f"✅ 已听取汇报（{when}）"


def report_view_button(grid: str) -> str:
    return f"查看 {grid}"


def report_reminder(*, period: str, deadline: str, grids: list[str], step: str) -> str:
    when = "今天是截止日" if step == "d0" else f"截止日为 {deadline}"
    names = "、".join(esc(g) for g in grids)
    return (
        f"⏰ <b>月度网格情况汇报提醒</b>\n\n"
        f"您负责的 {names} 还没有提交{period_label(period)}网格情况汇报，{when}。\n"
        "发送 /report 开始填写（机器人会根据本月活动、提问和通知给出建议）。"
    )


def report_digest(
    *,
    town: str,
    period: str,
    deadline: str,
    submitted: list[tuple[str, str, str, bool]],
    missing: list[tuple[str, str]],
    for_head: bool,
) -> str:
    """The town's digest. `submitted`: (grid, author, when, late); `missing`: (grid, heads)."""
    total = len(submitted) + len(missing)
    lines = [
        f"📋 <b>{esc(town)} {period_label(period)}网格情况汇报汇总</b>",
        f"截止日 {deadline}；已提交 {len(submitted)}/{total} 个网格。",
    ]
    if submitted:
        lines += ["", "<b>已提交</b>"]
        lines += [
            f"• {esc(grid)}：{esc(author)}，{when}{'（逾期）' if late else ''}"
            for grid, author, when, late in submitted
        ]
    if missing:
        lines += ["", f"<b>未提交（{len(missing)}）</b>"]
        lines += [f"• {esc(grid)}（网格长：{esc(heads) or '未配备'}）" for grid, heads in missing]
    lines += ["", "点下方「查看」按钮阅读各网格的汇报。"]
    if for_head:
        lines.append(f"听取汇报后请点「{REPORT_HEARD}」确认（每月至少听取1次）。")
    return "\n".join(lines)


def report_late_alert(*, grid: str, period: str, author: str) -> str:
    return (
        f"📄 {esc(grid)}的{period_label(period)}网格情况汇报已由{esc(author)}逾期提交，"
        "点下方按钮查看。"
    )


def report_escalation(
    *, town: str, period: str, heads: str, submitted: int, total: int, by: str
) -> str:
    return (
        f"⚠️ <b>月度汇报听取未确认</b>\n\n"
        f"{esc(town)}二级网格长（{esc(heads) or '未配备'}）截至 {by} 仍未确认听取"
        f"{period_label(period)}网格情况汇报（已提交 {submitted}/{total} 个网格）。"
        "请督促落实“二级网格长每月听取三级网格长情况汇报不少于1次”。"
    )


def report_todo_submit(*, grid: str, period: str, deadline: str) -> str:
    return f"提交{esc(grid)} {period_label(period)}网格情况汇报（截止 {deadline}）——发送 /report"


def report_todo_hearing(*, town: str, period: str) -> str:
    return (
        f"听取{esc(town)}{period_label(period)}网格情况汇报，并在汇总消息下点「{REPORT_HEARD}」确认"
    )


def quarter_reminder(*, quarter: str, grids: list[str], end: str) -> str:
    names = "、".join(esc(g) for g in grids)
    return (
        f"⏰ <b>季度网格活动提醒</b>\n\n"
        f"{names} 在{quarter_label(quarter)}还没有安排网格活动。按要求各级网格每季度要组织"
        f"学习、交流、探讨、团建等活动，请在 {end} 前安排；发送 /activity 发起活动。"
    )


def quarter_escalation(*, town: str, quarter: str, grids: list[str], end: str) -> str:
    names = "\n".join(f"• {esc(g)}" for g in grids)
    return (
        f"⚠️ <b>{esc(town)}{quarter_label(quarter)}网格活动督促</b>\n\n"
        f"距季度末（{end}）已不足两周，以下 {len(grids)} 个网格本季度仍未安排活动：\n{names}"
    )


def quarter_summary(
    *, scope: str, quarter: str, towns: list[tuple[str, list[str], list[str]]]
) -> str:
    """`towns`: (town, grids with an activity, grids without)."""
    held = sum(len(w) for _t, w, _wo in towns)
    total = held + sum(len(wo) for _t, _w, wo in towns)
    lines = [
        f"📊 <b>{esc(scope)}{quarter_label(quarter)}网格活动情况</b>",
        f"已开展活动的网格 {held}/{total} 个。",
    ]
    for town, with_activity, without in towns:
        lines += [
            "",
            f"<b>{esc(town)}</b>（{len(with_activity)}/{len(with_activity) + len(without)}）",
        ]
        lines.append("已开展：" + ("、".join(esc(g) for g in with_activity) or QUARTER_NONE))
        lines.append("未开展：" + ("、".join(esc(g) for g in without) or QUARTER_NONE))
    return "\n".join(lines)


# --- Reporting deadlines, continuing education (/study), law tips, /settings -----------------

# Imported here rather than at the top so that this section stays self-contained for merging.
from datetime import date as _date  # noqa: E402

WEEKDAYS_CN = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


def cn_date(day: _date) -> str:
    """12月3日（周四）."""
    return f"{day.month}月{day.day}日（{WEEKDAYS_CN[day.weekday()]}）"


@functools.lru_cache(maxsize=1024)
def fmt_hours(hours: float) -> str:
    """6 or 1.5: hours come in steps of 0.5 (cached: a sweep formats the same few values for a
    hundred thousand members)."""
    return f"{hours:g}"


DEADLINE_HEADING = "<b>联网直报截止提醒</b>"
DEADLINE_EXAMPLE_NOTE = (
    "⚠️ 注意：以上截止日期来自<b>示例日历</b>，并非官方规定，请以市统计局正式通知为准。"
)


def deadline_intro(*, deadline: str, today: bool) -> str:
    when = "今天" if today else deadline
    return f"以下报表将于<b>{when}</b>截止，请按时在联网直报平台报送："


def deadline_line(*, report: str, enterprises: list[str], moved_from: str | None) -> str:
    moved = f"（原定{moved_from}，遇休息日提前）" if moved_from else ""
    names = "、".join(esc(name) for name in enterprises)
    return f"• {esc(report)}{moved}：{names}"


def calendar_entry(index: int, name: object) -> str:
    label = f"「{esc(name)}」" if isinstance(name, str) and name else ""
    return f"第{index}条{label}"


CALENDAR_FIELDS = {
    "example": "example（是否示例）",
    "deadline": "deadline（截止日条目）",
    "name": "name（报表名称）",
    "industries": "industries（适用行业）",
    "frequency": "frequency（频率）",
    "day": "day（截止日）",
    "months": "months（月份）",
}

EDU_REMIND_HEADING = "<b>统计继续教育提醒</b>"


def education_member_reminder(*, year: int, hours: float, target: float) -> str:
    return (
        f"{EDU_REMIND_HEADING}\n"
        f"您{year}年已登记继续教育 <b>{fmt_hours(hours)}</b> 学时，年度目标 {fmt_hours(target)} 学时，"
        f"还差 {fmt_hours(max(target - hours, 0))} 学时。\n"
        "请及时参加统计继续教育，学习后发送 /study 登记学时。"
    )


def education_instructor_heading(*, year: int, target: float) -> str:
    return (
        "<b>统计继续教育 · 未达标成员</b>\n"
        f"{year}年度目标 {fmt_hours(target)} 学时，您指导的网格中以下成员尚未达标，请督促他们及时参加学习："
    )


def education_member_line(*, name: str, hours: float, target: float) -> str:
    return f"• {esc(name)} {fmt_hours(hours)}/{fmt_hours(target)} 学时"


EDU_TODO_SECTION = "继续教育"


def education_todo_line(*, hours: float, target: float) -> str:
    return f"继续教育 {fmt_hours(hours)}/{fmt_hours(target)} 学时（发送 /study 登记）"


LAW_TIP_HEADING = "<b>每周法治小贴士</b>"
LAW_TIP_OPT_OUT_HINT = "不想再收到？发送 /settings 关闭每周法治小贴士。"


def law_tip_message(*, tip: str, basis: str) -> str:
    return f"{LAW_TIP_HEADING}\n\n{esc(tip)}\n\n<b>依据</b>：{esc(basis)}\n\n{LAW_TIP_OPT_OUT_HINT}"


def study_summary(*, year: int, hours: float, target: float) -> str:
    status = "已达标 ✅" if hours >= target else f"还差 {fmt_hours(target - hours)} 学时"
    return f"<b>统计继续教育</b>\n{year}年已登记 <b>{fmt_hours(hours)}</b>/{fmt_hours(target)} 学时（{status}）"


def study_recent_line(*, day: str, topic: str, hours: float, imported: bool) -> str:
    source = "（导入）" if imported else ""
    return f"• {day} {esc(topic)} {fmt_hours(hours)} 学时{source}"


STUDY_RECENT_HEADING = "最近的记录："
STUDY_DATE_PROMPT = "登记一次学习：请发送<b>学习日期</b>，例如：今天、昨天、12月3日、2026-12-03。\n随时发送 /cancel 取消。"
STUDY_DATE_ERRORS = {
    "bad": "没看懂这个日期。请发送：今天、昨天、12月3日 或 2026-12-03。",
    "future": "学习日期不能晚于今天，请重新发送。",
    "old": "只能登记今年或去年的学习，请重新发送日期。",
}
STUDY_TOPIC_PROMPT = (
    "请发送<b>学习内容</b>（例如：统计法律法规培训、联网直报业务培训），100字以内。"
)
STUDY_TOPIC_BAD = "学习内容不能为空，且不超过100字，请重新发送。"
STUDY_HOURS_PROMPT = "请发送<b>学时</b>：0.5–12 之间，以 0.5 为单位（例如 2 或 1.5）。"
STUDY_HOURS_BAD = "学时须是 0.5–12 之间、以 0.5 为单位的数字（例如 2 或 1.5），请重新发送。"
STUDY_CONFIRM = "确认登记"
STUDY_DISCARD = "取消"
STUDY_PRESS_A_BUTTON = "请点击上方的「确认登记」或「取消」；也可发送 /cancel 取消。"
STUDY_CANCELLED = "已取消，没有登记任何学时。"
STUDY_TIMED_OUT = "登记学时已超时取消，没有登记任何内容。需要时请重新发送 /study。"


def study_confirm(*, day: str, topic: str, hours: float) -> str:
    return f"请确认：\n日期：{day}\n内容：{esc(topic)}\n学时：{fmt_hours(hours)}\n\n确认后登记。"


def study_saved(*, year: int, hours: float, target: float) -> str:
    return "已登记 ✅\n" + study_summary(year=year, hours=hours, target=target)


SETTINGS_HEADING = "<b>个人设置</b>\n点击下方按钮切换。"
SETTINGS_LAW_TIP_ON = "每周法治小贴士：开"
SETTINGS_LAW_TIP_OFF = "每周法治小贴士：关"
SETTINGS_LAW_TIP_NOW_ON = "已开启每周法治小贴士，每周会收到一条统计法治小贴士。"
SETTINGS_LAW_TIP_NOW_OFF = "已关闭每周法治小贴士。需要时可随时在 /settings 重新开启。"
SETTINGS_UNCHANGED = "设置未变：已经是这个状态。"

STUDY_IMPORT_HEADERS_MISSING = "缺少表头：{missing}（第1行须为：手机号、日期、内容、学时）"
STUDY_IMPORT_ROW_ERROR = "第{row}行 {column}：{reason}"
STUDY_IMPORT_EMPTY = "不能为空"
STUDY_IMPORT_DATE_ERRORS = {
    "bad": "看不懂的日期（可写 2026-12-03 或用日期格式的单元格）",
    "future": "不能晚于今天",
    "old": "只能导入今年或去年的学习",
}


# --- Duties overview and reminder engine (/duties, gridbot duties) -------------------------

DUTY_NAMES = {
    "question_sla": "问题超时",
    "notice_unread": "通知未读",
    "monthly_report": "月度汇报",
    "quarterly_activity": "季度活动",
    "reporting_deadlines": "联网直报",
    "education": "继续教育",
    "law_tip": "法治小贴士",
}
DUTIES_NONE_IN_SCOPE = "您的职责范围内没有网格。"
DUTIES_MONTHLY_TITLE = "📋 <b>{period} 网格月度情况汇报</b>"
DUTIES_MONTHLY_TOWN = "\n<b>{town}</b>（已提交 {done}/{total}）"
DUTIES_HEARD = "  ✅ 已听取汇报：{who}（{when}）"
DUTIES_NOT_HEARD = "  ⏳ 二级网格长尚未确认听取汇报"
DUTIES_SUBMITTED = "  · {grid}：{who} {when} 提交{late}"
DUTIES_LATE = "（逾期）"
DUTIES_MISSING = "  · {grid}：❌ 未提交（网格长：{heads}）"
DUTIES_NO_HEAD = "未配备"
DUTIES_QUARTERLY_TITLE = "🗓 <b>{quarter} 网格活动</b>"
DUTIES_QUARTERLY_TOWN = "\n<b>{town}</b>（已开展活动 {done}/{total}）"
DUTIES_ACTIVITIES = "  · {grid}：已组织 {count} 次"
DUTIES_NO_ACTIVITY = "  · {grid}：❌ 本季度尚无活动"
DUTIES_UNAVAILABLE = "（{what}统计暂不可用）"
DUTIES_PREVIEW_NONE = "{at} 没有待发出的提醒。"
DUTIES_PREVIEW_TITLE = "{at} 将处理的提醒共 {count} 条（仅预览，不发送、不记录）："
DUTIES_PREVIEW_LINE = "· [{duty}] {who}{outcome}：{text}"
DUTIES_PREVIEW_SEND = ""
DUTIES_PREVIEW_SKIP = "（将跳过：{why}）"
DUTIES_BAD_MOMENT = '时间格式应为 "YYYY-MM-DD HH:MM"（北京时间），例如 "2026-12-24 09:00"。'
DUTIES_STATUS_NEEDS_ONE = "请指定 --period 2026-12 或 --quarter 2026Q4。"


# --- Exports (/export, gridbot export) ----------------------------------------------------------

EXPORT_KIND_NAMES = {
    "activities": "活动台账",
    "notices": "通知确认名单",
    "reports": "月度情况汇报",
    "questions": "问题台账",
    "evaluation": "年度绩效评定",
    "funding": "经费台账",
}
EXPORT_YEAR_ONLY = "{kind}按年度导出：请选择年份，例如 2026。"
EXPORT_FUNDING_TOWNS_ONLY = "经费台账按乡镇（街道）汇总，仅限全市和乡镇（街道）领导导出。"
EXPORT_BAD_PERIOD = '无法识别的期间"{period}"：请写月份 2026-11、季度 2026Q4 或年份 2026。'
EXPORT_BAD_KIND = "无法识别的台账类型“{kind}”，可选：{kinds}。"
EXPORT_UNKNOWN_TOWN = "没有名为“{name}”的乡镇（街道）。"
EXPORT_UNKNOWN_GRID = "没有名为“{name}”的三级网格。"
EXPORT_TOWN_AND_GRID = "--town 和 --grid 只能指定一个。"
EXPORT_WRITTEN = "已导出{kind}（{period}，{rows} 条）：{path}"
EXPORT_CHOOSE_KIND = "📤 <b>导出台账</b>（按您的管辖范围）\n请选择要导出的台账："
EXPORT_CHOOSE_PERIOD = "📤 <b>{kind}</b>\n请选择期间："
EXPORT_WORKING = "⏳ 正在生成{kind}（{period}）……"
EXPORT_DONE = "✅ 已生成{kind}（{period}，{rows} 条），见下方文件。"
EXPORT_CAPTION = "{kind}（{period}）"
EXPORT_STALE = "该按钮已失效，请重新发送 /export。"
EXPORT_BACK = "« 返回"
EXPORT_CITY_LABEL = "全市"
EXPORT_USAGE = "用法：/export，或 /export 类型 期间，例如 /export activities 2026-11。"
EXPORT_SHEET_ACTIVITIES = "活动"
EXPORT_SHEET_ATTENDANCE = "签到明细"
EXPORT_SHEET_NOTICES = "通知"
EXPORT_SHEET_RECEIPTS = "确认明细"
EXPORT_SHEET_REPORTS = "情况汇报"
EXPORT_SHEET_QUESTIONS = "问题"
EXPORT_ACTIVITY_HEADERS = (
    "活动编号", "乡镇（街道）", "网格", "类型", "主题", "开始时间", "结束时间", "地点",
    "组织者", "状态", "应到人数", "签到人数", "请假人数", "签到率",
)  # fmt: skip
EXPORT_ATTENDANCE_HEADERS = (
    "活动编号", "主题", "活动网格", "姓名", "所属网格", "状态", "签到方式", "签到时间",
    "请假原因", "登记人",
)  # fmt: skip
EXPORT_NOTICE_HEADERS = (
    "通知编号", "发送时间", "发送人", "发送对象", "内容", "接收人数", "已确认", "确认率",
    "确认用时中位数（小时）",
)  # fmt: skip
EXPORT_RECEIPT_HEADERS = (
    "通知编号", "发送时间", "接收人", "状态", "确认时间", "确认用时（小时）", "提醒次数",
)  # fmt: skip
EXPORT_REPORT_HEADERS = (
    "月份", "乡镇（街道）", "网格", "状态", "提交人", "提交时间", "工作开展情况", "存在问题",
    "需要帮助", "下步计划", "听取汇报人", "听取时间",
)  # fmt: skip
EXPORT_QUESTION_HEADERS = (
    "编号", "提问时间", "乡镇（街道）", "网格", "提问人", "问题", "状态", "承办人",
    "首次回复人", "首次回复时间", "回复用时（小时）", "首次回复内容", "关闭时间",
)  # fmt: skip
EXPORT_HELD = "已举办"
EXPORT_CANCELLED = "已取消"
EXPORT_OTHER_GRID = "（非本网格人员）"
EXPORT_CONFIRMED = "已确认"
EXPORT_UNCONFIRMED = "未确认"
EXPORT_NOT_SUBMITTED = "未提交"
EXPORT_ON_TIME = "按时提交"
EXPORT_LATE = "逾期提交"


# --- Scorecards (/stats, /mystats) -----------------------------------------------------------

STATS_TITLE = "📊 <b>{period} 网格工作统计</b>（截至 {at}）"
STATS_BAD_PERIOD = (
    "统计周期格式不对。用法：/stats（本月）、/stats 2026-11（月）、/stats 2026Q4（季度）、"
    "/stats 2026（全年）。"
)
STATS_NONE_IN_SCOPE = "您的管辖范围内没有三级网格。"
STATS_CITY = "全市"
STATS_SUMMARY_HEAD = "\n<b>{name}</b>（{grids} 个网格，成员 {members} 人）"
STATS_ACTIVITIES = (
    "  · 活动 {count} 次{kinds}；出勤率 {rate}（签到 {present}/{slots} 人次，请假 {leave}）"
)
STATS_NOTICES = "  · 通知已阅 {rate}（{done}/{total} 份）；确认用时中位数 {median}"
STATS_REPORTS = "  · 月度汇报按时 {on_time}/{due}（已交 {submitted} 份）"
STATS_HEARINGS = "  · 听取汇报 {done}/{due} 个月"
STATS_QUESTIONS = "  · 提问 {asked} 个，已答复 {answered} 个；首次答复用时中位数 {median}"
STATS_EDUCATION = (
    "  · 继续教育达标 {reached}/{members} 人（年度目标 {target:g} 学时，合计 {hours:g} 学时）"
)
STATS_UNREACHABLE = "  · 已屏蔽机器人（无法通知）{count} 人"
STATS_ROW = (
    "· {name}：活动 {activities}｜出勤 {attendance}｜已阅 {confirm}｜汇报 {on_time}/{due}"
    "｜答复 {answered}/{asked}｜学时达标 {reached}/{members}｜失联 {unreachable}"
)
STATS_ROWS_TOWNS = "\n<b>各镇街</b>"
STATS_ROWS_GRIDS = "\n<b>{town} 各网格</b>"
STATS_MORE = "……另有 {count} 项未列出，可用 /export 导出完整台账。"
STATS_NA = "—"
STATS_HOURS = "{hours:.1f} 小时"
STATS_CHART_TITLE = "{period} {name} 主要指标"
STATS_CHART_CAPTION = "{period} {name}：活动出勤率、通知已阅率、汇报按时率、继续教育达标率"
STATS_SERIES_ATTENDANCE = "活动出勤率"
STATS_SERIES_NOTICES = "通知已阅率"
STATS_SERIES_REPORTS = "汇报按时率"
STATS_SERIES_EDUCATION = "学时达标率"

MYSTATS_TITLE = "🎯 <b>我的考核进度 · {year} 年</b>（截至 {at}）"
MYSTATS_NO_GRID = (
    "您目前不属于任何三级网格（不是调查对象的统计员，也未在网格任职），没有考核进度可看。"
)
MYSTATS_GRID = "\n<b>{grid}</b>（{town}）"
MYSTATS_SCORE = "  截至目前综合得分 {score:.2f} 分，档次：<b>{grade}</b>{reward}"
MYSTATS_REWARD = "，建议奖励 {amount} 元"
MYSTATS_LINES = (
    "  合格线 {pass_min:g} 分（奖励 {pass_low}–{pass_high} 元），"
    "优秀线 {excellent_min:g} 分（奖励 {excellent_low}–{excellent_high} 元）"
)
MYSTATS_FROZEN = "  （本年度评定结果已由市统计局确认，不再变动。）"
MYSTATS_GAP_PASS = "  距合格线还差 {gap:.1f} 分。"
MYSTATS_GAP_EXCELLENT = "  距优秀线还差 {gap:.1f} 分。"
MYSTATS_TOP = "  已达到优秀线，请继续保持。"
MYSTATS_COMPONENT = "  · {label}：{points:.2f}/{weight:g} 分（{detail}）"
MYSTATS_NO_EVALUATION = (
    "  （年度评分规则尚未启用：以下只列出各项工作进度，不折算分数。政策规定："
    "合格奖励 1000–3000 元，优秀奖励 3000–5000 元，由市统计局评定确认。）"
)
MYSTATS_QUARTERS = "  · 今年已结束的季度中开展活动的季度 {done}/{due} 个（每季度至少 1 次）"


# --- Oversight: annual evaluation, funding and the 五有 checklist (issue 6, evaluation) -------

DEPARTMENTS_FORBIDDEN = "“五有”达标情况仅供市级管理员和一级网格长查看。"
DEPARTMENTS_EMPTY = (
    "尚未登记任何部门。管理员可在服务器上用 <code>gridbot departments add 部门名称</code> 登记，"
    "用 <code>gridbot departments set</code> 记录各项情况。"
)
DEPARTMENTS_TITLE = "🏛 <b>部门统计“五有”达标情况</b>\n达标 {meeting}/{total} 个部门：{names}"
DEPARTMENTS_NONE_MEETING = "暂无"
DEPARTMENTS_DEPARTMENT = "\n<b>{name}</b>{badge}"
DEPARTMENTS_BADGE_MET = " ✅ 五有全部达标"
DEPARTMENTS_ITEM = "  {mark} {item}{detail}"
DEPARTMENTS_ITEM_DETAIL = "（{date}{evidence}）"
DEPARTMENTS_MARK_MET = "✅"
DEPARTMENTS_MARK_NOT_MET = "❌"
DEPARTMENTS_MARK_UNKNOWN = "⬜"
DEPARTMENTS_UNRECORDED = "（未登记）"
