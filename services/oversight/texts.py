"""User-facing texts of oversight (Simplified Chinese, Telegram HTML; interpolated values escaped by the caller with `esc`)."""

EXPORT_KIND_NAMES = {
    "activities": "活动台账",
    "notices": "通知确认名单",
    "reports": "月度情况汇报",
    "questions": "问题台账",
    "evaluation": "年度绩效评定",
    "funding": "经费台账",
}
# Short forms accepted after /export besides the names above and the English values.
EXPORT_KIND_ALIASES = {
    "activities": ("活动", "活动台账"),
    "notices": ("通知", "通知台账", "通知确认"),
    "reports": ("汇报", "月度汇报", "情况汇报"),
    "questions": ("问题", "提问"),
    "evaluation": ("评定", "绩效评定", "绩效"),
    "funding": ("经费",),
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
EXPORT_STEP_READING = "读取数据"
EXPORT_STEP_WRITING = "写入 Excel（{rows} 条）"
EXPORT_PROGRESS = "⏳ 正在生成{kind}（{period}）：{step}……"
EXPORT_DONE = "✅ 已生成{kind}（{period}，{rows} 条），见下方文件。"
EXPORT_CAPTION = "{kind}（{period}）"
EXPORT_STALE = "该按钮已失效，请重新发送 /export。"
EXPORT_BACK = "« 返回"
EXPORT_CITY_LABEL = "全市"
EXPORT_USAGE = "用法：/export，或 /export 类型 期间，例如 /export 活动台账 2026-11。"
EXPORT_SHEET_ACTIVITIES = "活动"
EXPORT_SHEET_ATTENDANCE = "签到明细"
EXPORT_SHEET_NOTICES = "通知"
EXPORT_SHEET_RECEIPTS = "确认明细"
EXPORT_SHEET_REPORTS = "情况汇报"
EXPORT_SHEET_QUESTIONS = "问题"
EXPORT_ACTIVITY_HEADERS = (
    "活动编号", "乡镇（街道）", "网格", "类型", "主题", "开始时间", "结束时间", "地点",
    "组织者", "状态", "应到人数（受邀成员）", "签到人数", "请假人数", "签到率",
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
MYSTATS_NOT_JUDGED = "  · 本年度未纳入评定：{note}"
MYSTATS_COVERAGE = "  · {note}"
STATS_NOT_JUDGED = "  · 未纳入 {count} 个网格（本期开始后才纳入考核，其汇报不计应交）"
STATS_ROW_NOT_JUDGED = "· {name}：未纳入（{since}起纳入考核）"
STATS_ROW_SINCE = "（{since}起纳入）"
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
MYSTATS_COMPONENT_LEFT_OUT = "  · {label}：不计入（{detail}；其余各项权重按比例折算为满分 100 分）"
MYSTATS_NO_EVALUATION = (
    "  （年度评分规则尚未启用：以下只列出各项工作进度，不折算分数。政策规定："
    "合格奖励 1000–3000 元，优秀奖励 3000–5000 元，由市统计局评定确认。）"
)
MYSTATS_QUARTERS = "  · 今年已结束的季度中开展活动的季度 {done}/{due} 个（每季度至少 1 次）"
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
