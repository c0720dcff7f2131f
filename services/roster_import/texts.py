"""User-facing texts of the roster sent in the chat (Simplified Chinese, Telegram HTML)."""

ROSTER_MARK = "花名册"
NOT_ALLOWED = "导入花名册仅限市统计局管理员。如需更正花名册，请把文件发给管理员。"
FILE_TOO_BIG = "文件超过 {mb} MB，无法导入。请删去多余的工作表或分乡镇导入。"
WRONG_TYPE = "花名册应为 .xlsx 或 .csv 文件（.xls 请在 Excel 中另存为 .xlsx 后再发送）。"
UNREADABLE = "无法读取花名册「{name}」：{reason}\n没有导入任何数据。"
ERRORS = (
    "花名册「{name}」发现 <b>{count}</b> 处问题，<b>没有导入任何数据</b>。\n"
    "前 {shown} 处：\n{lines}\n\n完整的错误报告见下方文件，逐条修正后重新发送即可。"
)
ERROR_REPORT_CAPTION = "错误报告：每行一处问题（工作表、行号、列、内容、原因）。"
PREVIEW = (
    "<b>花名册「{name}」预览</b>（尚未导入）\n\n"
    "新建乡镇街道：{towns} 个\n"
    "企业：新增 {e_new} 家，更新 {e_updated} 家，未变 {e_same} 家\n"
    "退出的企业：表中标明退出 {e_leaving} 家，表中不再列出 {e_removed} 家\n"
    "人员：新增 {people} 人\n"
    "岗位：新增 {posts_new} 个，调整 {posts_moved} 个\n"
    "{seats}\n\n"
    "确认后才会写入；预览后如花名册有其他变化，需要重新发送文件。"
)
NO_SEATS_LOST = "不再是网格员的人员：无"
CONFIRM = "确认导入"
CANCEL = "取消"
CANCELLED = "已取消，本次花名册没有导入任何数据。"
UNKNOWN = "该预览已失效，请重新发送花名册文件。"
NOT_IMPORTER = "只有发送该花名册的管理员可以确认导入。"
ALREADY = "该花名册已处理过（已导入或已取消）。"
STALE = (
    "预览之后花名册已有变化（例如别人导入了花名册或划分了网格），这份预览已过期，"
    "没有导入任何数据。请重新发送文件，按新的预览确认。"
)
CHANGED_ERRORS = "确认时花名册校验未通过（{count} 处问题），没有导入任何数据。请重新发送文件。"
IMPORTED = (
    "<b>花名册已导入。</b>\n\n{summary}\n\n新企业需要划入三级网格后，网格员才能看到自己的网格。"
)
PREVIEW_PARTITION = "预览网格划分"
CONFIRM_PARTITION = "确认划分"
PARTITION_PREVIEW = "<b>网格划分方案</b>（尚未写入）\n\n{report}"
PARTITION_DONE = "<b>网格划分完成。</b>\n\n{report}"
PARTITION_NOT_ALLOWED = "网格划分仅限市统计局管理员。"
NOT_XLSX = "这不是有效的 .xlsx 文件（可能已损坏），没有导入任何数据。请在 Excel 中重新保存后发送。"
TOO_BIG_UNPACKED = "文件解压后过大（可能不是正常的花名册），没有导入任何数据。"
MACROS = (
    "文件含有宏（VBA），出于安全不能导入，没有导入任何数据。请另存为普通的 .xlsx 工作簿后发送。"
)
FORMULAS = (
    "工作表中含有公式单元格，没有导入任何数据。请全选后「复制」→「选择性粘贴」→「数值」，"
    "保存后重新发送。"
)
