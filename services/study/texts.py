"""User-facing texts of study (Simplified Chinese, Telegram HTML; interpolated values escaped by the caller with `esc`)."""

from datetime import date, timedelta

from core.formatting import esc, fmt_hours


def study_summary(*, year: int, hours: float, target: float) -> str:
    status = "已达标 ✅" if hours >= target else f"还差 {fmt_hours(target - hours)} 学时"
    return f"<b>统计继续教育</b>\n{year}年已登记 <b>{fmt_hours(hours)}</b>/{fmt_hours(target)} 学时（{status}）"


def study_recent_line(*, day: str, topic: str, hours: float, imported: bool) -> str:
    source = "（导入）" if imported else ""
    return f"• {day} {esc(topic)} {fmt_hours(hours)} 学时{source}"


STUDY_RECENT_HEADING = "最近的记录："


def _past_examples(today: date) -> str:
    """Two dates as one may type them, neither in the future (a study is recorded after it):
    a 月日 of this year (read as this year's) and an ISO date a week ago."""
    earlier = max(today - timedelta(days=2), date(today.year, 1, 1))
    week_ago = today - timedelta(days=7)
    return f"{earlier.month}月{earlier.day}日、{week_ago.isoformat()}"


def study_date_prompt(today: date) -> str:
    return (
        "登记一次学习：请发送<b>学习日期</b>，例如：今天、昨天、"
        f"{_past_examples(today)}。\n随时发送 /cancel 取消。"
    )


def study_date_error(kind: str, today: date) -> str:
    if kind == "bad":
        return f"没看懂这个日期。请发送：今天、昨天，或 {_past_examples(today)} 这样的日期。"
    return STUDY_DATE_ERRORS[kind]


STUDY_DATE_ERRORS = {
    "future": "学习日期不能晚于今天，请重新发送。",
    "old": "只能登记今年或去年的学习，请重新发送日期。",
}
STUDY_TOPIC_PROMPT = (
    "请发送<b>学习内容</b>（例如：统计法律法规培训、联网直报业务培训），100字以内。"
)
STUDY_TOPIC_BAD = "学习内容不能为空，且不超过100字，请重新发送。"


def study_hours_prompt(most: float) -> str:
    return f"请发送<b>学时</b>：0.5–{fmt_hours(most)} 之间，以 0.5 为单位（例如 2 或 1.5）。"


def study_hours_bad(most: float) -> str:
    return (
        f"学时须是 0.5–{fmt_hours(most)} 之间、以 0.5 为单位的数字（例如 2、1.5 或 两个半），"
        "请重新发送。"
    )


def study_day_full(*, day: str, recorded: float, room: float, per_day: float) -> str:
    limit = f"{day} 已登记 {fmt_hours(recorded)} 学时，每天最多 {fmt_hours(per_day)} 学时"
    if room < 0.5:
        return f"{limit}，这一天不能再登记了。"
    return f"{limit}，这一天最多还能登记 {fmt_hours(room)} 学时。"


STUDY_OTHER_DATE = "\n请发送另一个日期，或发送 /cancel 取消。"
STUDY_AGAIN = "\n请重新发送学时，或发送 /cancel 取消。"
STUDY_NOT_SAVED = "\n这次没有登记。需要时请重新发送 /study。"
STUDY_CONFIRM = "确认登记"
STUDY_DISCARD = "取消"
STUDY_PRESS_A_BUTTON = "请点击上方的「确认登记」或「取消」；也可发送 /cancel 取消。"
STUDY_CANCELLED = "已取消，没有登记任何学时。"
STUDY_TIMED_OUT = "登记学时已超时取消，没有登记任何内容。需要时请重新发送 /study。"


def study_confirm(*, day: str, topic: str, hours: float) -> str:
    return f"请确认：\n日期：{day}\n内容：{esc(topic)}\n学时：{fmt_hours(hours)}\n\n确认后登记。"


def study_saved(*, year: int, hours: float, target: float) -> str:
    return "已登记 ✅\n" + study_summary(year=year, hours=hours, target=target)


STUDY_IMPORT_HEADERS_MISSING = "缺少表头：{missing}（第1行须为：手机号、日期、内容、学时）"
STUDY_IMPORT_ROW_ERROR = "第{row}行 {column}：{reason}"
STUDY_IMPORT_EMPTY = "不能为空"
STUDY_IMPORT_DATE_ERRORS = {
    "bad": "看不懂的日期（可写 2026-12-03 或用日期格式的单元格）",
    "future": "不能晚于今天",
    "old": "只能导入今年或去年的学习",
}


def study_import_hours_bad(most: float) -> str:
    return f"须为 0.5–{fmt_hours(most)} 之间、以 0.5 为单位的数字"


def study_import_day_full(*, day: str, total: float, recorded: float, per_day: float) -> str:
    before = f"（含此前已登记的 {fmt_hours(recorded)} 学时）" if recorded else ""
    return f"{day} 共 {fmt_hours(total)} 学时{before}，超过每天 {fmt_hours(per_day)} 学时的上限"
