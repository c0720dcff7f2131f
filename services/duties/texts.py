"""User-facing texts of duties (Simplified Chinese, Telegram HTML; interpolated values escaped by the caller with `esc`)."""

from core.formatting import esc, fmt_hours

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


DUTY_NAMES = {
    "question_sla": "问题超时",
    "notice_unread": "通知未读",
    "monthly_report": "月度汇报",
    "quarterly_activity": "季度活动",
    "reporting_deadline": "联网直报",
    "education": "继续教育",
    "law_tip": "法治小贴士",
}
DUTIES_PREVIEW_NONE = "{at} 没有待发出的提醒。"
DUTIES_PREVIEW_TITLE = "{at} 将处理的提醒共 {count} 条（仅预览，不发送、不记录）："
DUTIES_PREVIEW_LINE = "· [{duty}] {who}{outcome}：{text}"
DUTIES_PREVIEW_SEND = ""
DUTIES_PREVIEW_SKIP = "（将跳过：{why}）"
DUTIES_BAD_MOMENT = '时间格式应为 "YYYY-MM-DD HH:MM"（北京时间），例如 "2026-12-24 09:00"。'
DUTIES_STATUS_NEEDS_ONE = "请指定 --period 2026-12 或 --quarter 2026Q4。"
