"""User-facing texts of activities (Simplified Chinese, Telegram HTML; interpolated values escaped by the caller with `esc`)."""

from datetime import datetime as _datetime
from datetime import tzinfo

from core.formatting import clock, cn_day, esc, truncate_plain
from models.tables import Activity as _Activity
from services.activities.parsing import PLACE_MAX, REASON_MAX, TITLE_MAX

# A summary names an activity's grids in at most this many characters (a city-wide one has many).
GRIDS_SHOWN_CHARS = 300

ACT_NOT_ORGANISER_GRIDS = "您目前不是任何三级网格的网格长或网格指导员，无法发起网格活动。"
ACT_KIND_PROMPT = "<b>发起网格活动</b>（随时发送 /cancel 取消）\n\n第 1 步：请选择活动类型："
ACT_TITLE_PROMPT = f"第 2 步：请输入活动主题（{TITLE_MAX} 字以内），例如：2026年统计法治学习交流会"
ACT_TITLE_BAD = f"活动主题不能为空，且不超过 {TITLE_MAX} 字，请重新输入："
ACT_TITLE_TOO_LONG = (
    f"活动主题最多 {TITLE_MAX} 字，这段有 {{length}} 字，超出 {{over}} 字，请删减后重新输入："
)
ACT_WINDOW_PROMPT = (
    "第 3 步：请输入活动日期和时间段，例如：\n"
    "• 明天 9:30-11\n• 下午2点到4点\n• 周三 下午\n• 今天 现在到两小时后\n"
    "• 日期加时间，如 12月20日 14:00-16:00"
)
ACT_WINDOW_ERRORS = {
    "format": "没有看懂这个时间。请输入日期和开始、结束时间，例如：明天 9:30-11、下午2点到4点、"
    "周三 下午，或 12月20日 14:00-16:00",
    "order": "结束时间必须晚于开始时间，请重新输入，例如：明天 14:00-16:00",
    "past": "这个时间段已经过去了，请输入今后的时间，例如：明天 9:30-11",
}
ACT_PLACE_PROMPT = f"第 4 步：请输入活动地点（{PLACE_MAX} 字以内），例如：虹桥镇政府三楼会议室"
ACT_PLACE_BAD = f"活动地点不能为空，且不超过 {PLACE_MAX} 字，请重新输入："
ACT_PLACE_TOO_LONG = (
    f"活动地点最多 {PLACE_MAX} 字，这段有 {{length}} 字，超出 {{over}} 字，请删减后重新输入："
)
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


def activity_when(activity: _Activity, tz: tzinfo) -> str:
    return f"{cn_day(activity.starts_at, tz)} {clock(activity.starts_at, tz)}-{clock(activity.ends_at, tz)}"


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
        f"网格：{esc(truncate_plain('、'.join(grids), GRIDS_SHOWN_CHARS))}",
    ]
    return "\n".join(lines)


def activity_invitation(
    activity: _Activity, *, organiser: str, grids: list[str], tz: tzinfo
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


def activity_absent_reminder(activity: _Activity, *, organiser: str, tz: tzinfo) -> str:
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


def checkin_done(activity: _Activity, at: _datetime, tz: tzinfo) -> str:
    return f"✅ 签到成功！{activity_name(activity)}，签到时间 {clock(at, tz)}。"


def checkin_already(activity: _Activity, at: _datetime | None, tz: tzinfo) -> str:
    when = f"于 {clock(at, tz)} " if at is not None else ""
    return f"您已{when}签到{activity_name(activity)}，无需重复签到。"


def checkin_not_open(activity: _Activity, opens: _datetime, tz: tzinfo) -> str:
    return (
        f"{activity_name(activity)}的签到尚未开始：活动时间 {activity_when(activity, tz)}，"
        f"签到从 {cn_day(opens, tz)} {clock(opens, tz)} 开放。"
    )


def checkin_ended(activity: _Activity, tz: tzinfo) -> str:
    return (
        f"{activity_name(activity)}已于 {cn_day(activity.ends_at, tz)} {clock(activity.ends_at, tz)} "
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


def open_activity_line(activity: _Activity, tz: tzinfo) -> str:
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
PANEL_MORE = "…另有 {count} 行未列出（全文见附件/详情）"
LEAVE_ASK_REASON = "请输入{name}的请假原因（" + str(REASON_MAX) + " 字以内，发送 /cancel 取消）："
LEAVE_REASON_BAD = f"请假原因不能为空，且不超过 {REASON_MAX} 字，请重新输入："
LEAVE_REASON_TOO_LONG = (
    f"请假原因最多 {REASON_MAX} 字，这段有 {{length}} 字，超出 {{over}} 字，请删减后重新输入："
)
LEAVE_RECORDED = "已登记{name}请假：{reason}"
LEAVE_CHECKED_IN = "该人员已经签到，不能登记请假。"
LEAVE_NOT_MEMBER = "该人员不在本活动的网格中。"
LEAVE_CANCELLED = "已取消登记请假。"
TODO_ACTIVITY_SECTION = "活动"


def activity_todo(activity: _Activity, *, open_now: bool, tz: tzinfo) -> str:
    action = "正在签到：到场后发送 /checkin 签到码" if open_now else "待参加"
    return f"{activity_name(activity)} {activity_when(activity, tz)} @ {esc(activity.place)}（{action}）"


def activity_todo_organiser(activity: _Activity, *, tz: tzinfo) -> str:
    return (
        f"今天组织：{activity_name(activity)} {activity_when(activity, tz)} @ {esc(activity.place)}"
        "（/activities 查看签到码和签到情况）"
    )
