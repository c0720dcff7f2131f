"""User-facing texts of 催报 (Simplified Chinese, Telegram HTML; values escaped by the caller)."""

# Reading the file.
FILE_TYPE = "{name}：只能导入 .xlsx 或 .csv 文件（旧版 .xls 请在 Excel 中另存为 .xlsx）。"
FILE_NOT_XLSX = "{name}：无法打开，不是有效的 .xlsx 文件。"
FILE_ENCODING = "{name}：无法识别文件编码，请在 Excel 中另存为「CSV UTF-8」后重试。"
FILE_BAD_CSV = "{name}：CSV 格式有误（{error}）。"
FILE_NO_HEADER = (
    "前10行中没有找到表头：需要「状态」列，以及「统一社会信用代码」「组织机构代码」"
    "「单位详细名称」或「单位名称」之一。"
)
MISSING_FORM_COLUMN = "缺少「表号」或「报表名称」列。"
FILE_TOO_LONG = "文件超过 {limit} 行，请按乡镇（街道）分开导出。"
FILE_EMPTY = "表头下面没有任何数据行。"
ROW_PROBLEM = "第 {row} 行「{column}」：{reason}"
PERIOD_MISMATCH = "报告期不一致：您指定的是 {period}，文件中还有 {found}。"
PERIOD_MANY = "文件中有多个报告期（{found}），一次只能导入一个报告期。"
PERIOD_MISSING = (
    "文件中没有「报告期」列：请在发送文件时在说明（caption）中写上报告期，如 2026-11；"
    "命令行请加 --period 2026-11。"
)
CAPTION_PERIOD_BAD = "文件说明中的报告期无法识别：{reason}"
FILE_REFUSED = "<b>催报名单未导入</b>（{name}），共 {count} 处问题，请改正后重新发送整个文件：\n"
TOO_MANY_PROBLEMS = "……另有 {count} 处问题未列出。"
FILE_TOO_BIG = "文件太大（超过 {mb} MB），请按乡镇（街道）分开导出后再发送。"

# Who may send a list.
NOT_ALLOWED = (
    "只有网格指导员、网格长、乡镇（街道）分管负责人、二级网格长和市统计局管理员可以导入催报名单。"
    "如有需要，请把文件转给您的网格指导员。"
)

# Preview.
PREVIEW_HEADING = "<b>催报名单预览</b>（{period}报告期，{name}）"
PREVIEW_SOURCE = "名单来自「一套表联网直报」平台的导出；机器人只提醒统计员，不代为报送。"
PREVIEW_COUNTS = (
    "文件共 {rows} 行：本次将催报 <b>{items}</b> 项（{objects} 家企业，{people} 名统计员）"
)
PREVIEW_STATUS_LINE = "· {status}：{count} 项"
PREVIEW_NEW = "新增 {new} 项，仍未完成 {kept} 项，将销号 {resolved} 项（已不在名单上或已上报）"
PREVIEW_DISCREPANCIES = "⚠️ 统计员已点完成、但平台仍列出的：{count} 项（确认后在结果中列出）"
PREVIEW_UNREACHABLE = "其中 {count} 名统计员未绑定机器人或已屏蔽，收不到提醒（/chase 可查看电话）"
PREVIEW_UNMATCHED = "<b>花名册中没有的单位（{count} 行，已跳过）：</b>"
PREVIEW_OUT_OF_SCOPE = "<b>不在您管辖范围内的单位（{count} 行，已跳过）：</b>"
PREVIEW_SKIPPED_LINE = "· 第 {row} 行 {name}（{reason}）"
PREVIEW_MORE = "……另有 {count} 行"
PREVIEW_NOTHING = "没有需要催报的项目：文件中的单位都不在您的范围内或花名册中没有。"
REASON_UNKNOWN = "花名册中没有"
REASON_LEFT = "已退出网格"
REASON_AMBIGUOUS = "名称对应多家企业，请用统一社会信用代码"
REASON_NO_STATISTICIAN = "没有登记统计员"
CONFIRM = "确认催报"
CANCEL = "取消"
CANCELLED = "已取消，没有发出任何催报。"
NOT_IMPORTER = "只有发送这份名单的人可以确认。"
ALREADY_CONFIRMED = "这份名单已经确认过了。"
IMPORT_UNKNOWN = "没有找到这份名单，请重新发送文件。"

# Result.
RESULT_HEADING = "<b>催报已确认</b>（{period}报告期）"
RESULT_COUNTS = (
    "已向 {people} 名统计员排队发出 {messages} 条催报（免打扰时段和节假日顺延到工作日 {when}）；"
    "今天已提醒过的 {skipped} 人不再重复。"
)
RESULT_COUNTS_NOW = (
    "已向 {people} 名统计员排队发出 {messages} 条催报；今天已提醒过的 {skipped} 人不再重复。"
)
RESULT_RESOLVED = "销号 {count} 项，仍未完成 {kept} 项，新增 {new} 项。"
RESULT_DISCREPANCY_HEADING = "<b>⚠️ 统计员已点完成、但平台仍列出（请核实）：</b>"
RESULT_DISCREPANCY_LINE = "· {name} · {form}（{declared}于 {when}）"
CLI_CONFIRM_HINT = "以上为预览；加 --yes 确认并发出催报。"

# The statistician's message.
CHASE_HEADING = "📋 <b>催报提醒</b>（{period}报告期）"
CHASE_INTRO = (
    "市（乡镇）统计部门从「一套表联网直报」平台导出的名单显示，您负责的企业有以下报表尚未完成。"
    "请登录联网直报平台处理——本机器人<b>不代为报送</b>，只帮您记下进度。"
)
CHASE_ITEM = "{mark} <b>{name}</b> · {form}\n    状态：{status}{problem} · 截止：{deadline}"
CHASE_ITEM_PROBLEM = " · 问题：{problem}"
CHASE_ITEM_RECHECK = "\n    ⚠️ 您已点「{declared}」，但最新导出仍列出此项，请在平台上核实。"
CHASE_OUTRO = (
    "处理后请点对应编号的「已报送」（已首次报送）或「已修改」（已按审核意见修改或解释）；"
    "遇到困难请点「需要帮助」向网格指导员提问。"
)
CHASE_MORE = "……另有 {count} 项，请登录平台查看。"
DONE_REPORTED = "已报送"
DONE_MODIFIED = "已修改"
HELP = "需要帮助"
DONE_MARK = " ✓"
DONE_RECORDED = "已记录：{name} · {form} {declared}。下次导出名单时核对。"
DONE_ALREADY = "这一项已经记录过了（{state}）。"
NOT_YOURS = "这一项不是您负责的企业，无法操作。"
ITEM_UNKNOWN = "没有找到这一项，可能名单已更新。"

# [需要帮助].
HELP_QUESTION = (
    "催报求助：{name}（{period}报告期）的「{form}」，平台状态为{status}{problem}，"
    "截止 {deadline}。我需要帮助："
)
HELP_PROBLEM = "，问题说明：{problem}"

# Escalation.
ESCALATE_PRE_HEADING = "⏰ <b>催报即将截止</b>：{grid}（{period}报告期，截止 {deadline}）"
ESCALATE_POST_HEADING = "🚨 <b>催报已过截止时间</b>：{town}（{period}报告期，截止 {deadline}）"
ESCALATE_INTRO = "以下各项仍未完成（名单来自联网直报平台的导出）："
ESCALATE_LINE = "· {grid}{name} · {form}（{status}）统计员：{statistician}"
ESCALATE_MORE = "……另有 {count} 项，发送 /chase 查看。"

# Board.
BOARD_HEADING = "<b>催报进度</b>（{period}报告期）"
BOARD_NONE = "您的管辖范围内还没有导入过催报名单。把平台导出的 .xlsx/.csv 文件发给我即可导入。"
BOARD_GRID = "<b>{grid}</b>：待处理 {open} · 已申报完成 {declared} · 已销号 {resolved} · 异常 {discrepancies}"
BOARD_ITEM = "  {mark} {name} · {form}（{status}，截止 {deadline}）"
BOARD_MORE = "  ……另有 {count} 项"
BOARD_UNREACHABLE = "<b>统计员收不到提醒（未绑定或已屏蔽），请电话联系：</b>"
BOARD_UNREACHABLE_LINE = "· {name}：{person} {mobile}（{why}）"
UNBOUND = "未绑定"
BLOCKED = "已屏蔽"
REMIND = "再提醒 {name}"
REMINDED = "已再次提醒 {name} 的统计员。"
REMIND_TOO_SOON = "一小时内已提醒过这家企业，请稍后再试。"
REMIND_NOTHING = "这家企业没有待处理的项目。"
REMIND_UNREACHABLE = "这家企业的统计员未绑定机器人或已屏蔽，请电话联系。"
NOT_IN_SCOPE = "这家企业不在您的管辖范围内。"
STAFF_ONLY = "/chase 仅供网格指导员、网格长和乡镇（街道）、市统计局工作人员使用。"
LEDGER = "导出催报台账"
LEDGER_CAPTION = "{period}催报台账（{rows} 项）：每一项的状态、申报与销号时间；「汇总」表为各网格、乡镇的销号率和及时率。"
LEDGER_FILE = "催报台账_{period}.xlsx"
STATS_CHASE = "  · 催报 {items} 项：已销号 {resolved}（{rate}），按时完成 {timely}（{timely_rate}）"
DISCREPANCY_HEADING = (
    "⚠️ <b>催报异常</b>（{period}报告期）：以下各项统计员已点完成，但最新导出的名单仍列出，请核实："
)
