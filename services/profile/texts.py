"""User-facing texts of profile (Simplified Chinese, Telegram HTML; interpolated values escaped by the caller with `esc`)."""

from services.texts import PRODUCT_NAME

ROLES_HEADING = "<b>您的身份</b>"
NO_POSTS = "花名册中暂未给您分配网格或角色，请联系网格指导员。"
CAN_DO_HEADING = "<b>您可以使用</b>"
HELP_HEADING = f"<b>{PRODUCT_NAME} · 使用说明</b>"
HELP_FOOTER = "在聊天输入框中输入 / 也可以看到这些指令。"
ME_HEADING = "<b>我的信息</b>"
ME_ENTERPRISES = "<b>我负责统计的企业</b>"
ME_GRID_CONTACTS = "<b>网格联系人</b>"
NOT_PLACED = "（尚未划入三级网格）"
