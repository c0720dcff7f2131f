"""User-facing texts of the audit trail (Simplified Chinese, Telegram HTML)."""

ACTION_LABELS = {
    "roster.import": "导入花名册",
    "grids.partition": "网格划分",
    "evaluation.confirm": "确认年度评定",
    "study.import": "导入学时",
    "faq.approve": "通过解答",
    "faq.reject": "退回解答",
    "binding.phone": "手机号绑定",
    "binding.invite": "邀请链接绑定",
    "binding.rebind": "换绑",
    "person.handover": "人员交接",
    "departments.set": "登记部门五有",
    "person.deactivate": "停用人员",
}
CHANNELS = {"chat": "聊天", "cli": "命令行"}

HEADING = "<b>操作记录</b>（最近 {count} 条，新的在前）"
LINE = "{at} · {who} · <b>{what}</b>\n  {summary}"
EMPTY = "还没有操作记录。导入花名册、划分网格、确认评定、导入学时、审核解答和绑定都会记录在这里。"
EXPORT_HINT = "完整记录可用命令行导出：<code>gridbot audit export --out 操作记录.xlsx</code>"

SHEET_TITLE = "操作记录"
SHEET_HEADERS = ("时间", "操作人", "途径", "操作", "内容")
NOT_ALLOWED = "操作记录仅限市统计局管理员查看。"
