"""User-facing texts of answers (Simplified Chinese, Telegram HTML; interpolated values escaped by the caller with `esc`)."""

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
FAQ_LOCAL_SOURCE = "来源"
FAQ_LOCAL_ATTRIBUTION = "网格指导员解答（审核通过，{date}）"
FAQ_LOCAL_NOTE = "本条为网格指导员的经验解答，不是法律条文。"
