"""User-facing texts common to every feature (Simplified Chinese, Telegram HTML); each feature's own texts live in its package."""

PRODUCT_NAME = "统计网格助手"
UNBOUND = (
    f"您好！我是<b>{PRODUCT_NAME}</b>，服务乐清市基层统计网格的企业统计员、网格指导员和网格长。\n\n"
    "您还没有绑定身份。请点击乡镇（街道）统计中心发给您的<b>个人邀请链接</b>"
    "（形如 https://t.me/…?start=…），打开后即可自动完成绑定。\n\n"
    "没有收到链接，或链接已失效？请联系您所在网格的网格指导员重新获取。"
)
NOT_BOUND_FOR_COMMAND = "请先完成身份绑定后再使用此功能。" + "\n\n" + UNBOUND
FORBIDDEN = "抱歉，您的角色无权使用此功能。发送 /help 查看您可以使用的功能。"
FORBIDDEN_SCOPE = "抱歉，该网格不在您的管辖范围内。"
STALE_BUTTON = "该按钮已失效，请重新发送指令。"
UNKNOWN_INPUT = "没有理解您的意思。发送 /help 查看可以使用的功能。"
NOTHING_TO_CANCEL = "当前没有进行中的操作，不需要取消。发送 /help 查看可以使用的功能。"
UNKNOWN_COMMAND = "没有 /{typed} 这个命令。您是不是想用 /{command}（{description}）？"
UNKNOWN_COMMAND_NO_MATCH = "没有 /{typed} 这个命令。发送 /help 查看您可以使用的命令。"
DOWNLOAD_FAILED = "文件下载失败，请稍后重新发送。"
INTERNAL_ERROR = "抱歉，处理您的请求时出错了，请稍后再试。如多次出现，请联系管理员。"
# A guided conversation was ended by a failed step (handlers.conversation.GuidedConversation).
STEP_FAILED = (
    "抱歉，处理您的请求时出错了，这次{label}已结束。"
    "如果刚才的操作没有完成，请{restart}。如多次出现，请联系管理员。"
)
# Starting a guided conversation ended others open in the same chat.
CONVERSATION_REPLACED = "已结束未完成的{label}，其中未保存的内容已丢弃。"
NOBODY = "暂无"
