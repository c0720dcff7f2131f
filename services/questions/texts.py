"""User-facing texts of questions (Simplified Chinese, Telegram HTML; interpolated values escaped by the caller with `esc`)."""

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
TEXT_TOO_LONG = "{what}最多 {limit} 字，这段有 {length} 字，超出 {over} 字。请删减后重新发送。"
TEXT_EMPTY = "{what}不能为空，请发送文字内容。"
WHAT_QUESTION = "问题"
WHAT_FOLLOWUP = "追问"
WHAT_ANSWER = "回复"
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
QUESTIONS_MORE = "…（还有 {count} 个问题等待回复，先回复上面这些，再发送 /questions 查看）"
QUESTIONS_REPLY_BUTTON = "回复 #{id}"
WAITED_DAYS = "{days}天{hours}小时"
WAITED_HOURS = "{hours}小时"
CANDIDATE_CREATED = "✅ 已提交到知识库待审核，管理员审核通过后，其他网格员就能搜到这条解答。"
CANDIDATE_EXISTS = "这个问题的解答已经提交过了（{status}）。"
CANDIDATE_NO_ANSWER = "这个问题还没有回复，无法加入知识库。"
FAQREVIEW_NONE = "没有待审核的知识库条目。"
FAQREVIEW_MORE = "还有 {count} 条待审核，处理完上面这些后再次发送 /faqreview 查看。"
FAQREVIEW_ITEM = (
    "<b>待审核 #{id}</b>（{author}，{date}）\n<b>问：</b>{question}\n<b>答：</b>{answer}"
)
FAQREVIEW_APPROVE = "通过"
FAQREVIEW_REJECT = "驳回"
FAQREVIEW_APPROVED = "✅ 已通过，知识库检索现在可以找到这条解答。"
FAQREVIEW_REJECTED = "已驳回。"
FAQREVIEW_DONE_BEFORE = "该条目已经审核过了（{status}）。"
TODO_MY_QUESTIONS = "我的提问"
TODO_TO_ANSWER = "待我回复"
TODO_QUESTION_WAITING = "#{id} 等待指导员回复：{text}"
TODO_QUESTION_ANSWERED = "#{id} 已回复，请查看并确认关闭：{text}"
TODO_QUESTION_TO_ANSWER = "#{id} {asker}：{text}（/questions）"
