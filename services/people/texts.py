"""User-facing texts of /person and the handover (Simplified Chinese, Telegram HTML)."""

NOT_ALLOWED = "查看人员和办理交接仅限市统计局管理员。"
USAGE = "用法：<code>/person 手机号或姓名</code>，例如 <code>/person 13812345678</code>。"
NOT_FOUND = "花名册中没有找到「{query}」。请输入11位手机号或完整姓名。"
MANY = "有 {count} 人叫这个名字，请改用手机号查询：\n{lines}"
CARD_HEADING = "<b>{name}</b>（{mobile}）· {state}"
ACTIVE = "在册"
REPLACED = "已由他人接替"
BOUND = "Telegram：已绑定（账号 {account}）"
UNBOUND = "Telegram：未绑定（可分享手机号或用个人邀请链接绑定）"
POSTS_HEADING = "<b>角色</b>"
NO_POSTS = "（无）"
ENTERPRISES = "负责企业：{count} 家 {names}"
HISTORY = "历史：已结束的岗位 {posts} 个，已解除的绑定 {bindings} 次"
HANDOVER_BUTTON = "交接给新人"
HANDOVER_ASK = (
    "请发送接替人员的姓名和手机号，用空格隔开：\n"
    "<code>/handover {person_id} 张三 13812345678</code>"
)
HANDOVER_BAD = (
    "没有读懂：应为人员编号、接替人员姓名（最多10个字）和11位大陆手机号，"
    "如 <code>/handover 12 张三 13812345678</code>。"
)
HANDOVER_PREVIEW = (
    "<b>确认交接？</b>\n{old}（{old_mobile}）的企业和角色将移交给 <b>{new}</b>（{new_mobile}），"
    "{old}原有的 Telegram 绑定解除，历史记录保留。\n新人可立即用手机号绑定。"
)
HANDOVER_CONFIRM = "确认交接"
UNKNOWN = "该人员不存在，请重新用 /person 查询。"
HANDED_OVER = (
    "<b>交接完成。</b>{new} 接替 {old}：移交企业 {enterprises} 家、角色 {posts} 个；{old} 的历史记录保留。\n"
    "{new} 现在可以在机器人中点「📱 分享我的手机号」绑定，或使用个人邀请链接："
)
REBIND_BUTTON = "重新绑定"
REBIND_CONFIRM = "确认重新绑定"
REBIND_ASK = (
    "<b>重新绑定 {name}（{mobile}）？</b>\n原有的 Telegram 绑定将解除（换手机或换账号时使用），"
    "本人随后可在新账号上分享手机号或用新的邀请链接绑定。"
)
REBOUND = (
    "<b>已解除 {name} 原有的绑定。</b>本人可在新账号上点「📱 分享我的手机号」绑定，"
    "或使用新的个人邀请链接："
)
DEACTIVATE_BUTTON = "停用"
DEACTIVATE_CONFIRM = "确认停用"
DEACTIVATE_ASK = "<b>停用 {name}（{mobile}）？</b>\n停用后其 Telegram 绑定解除，不能再用手机号或链接绑定；历史记录保留。"
DEACTIVATE_BUSY = (
    "{name} 仍负责 {enterprises} 家企业、{posts} 个岗位，不能直接停用：请先[交接给新人]。"
)
DEACTIVATED = "已停用 {name}：绑定已解除，历史记录保留。"
