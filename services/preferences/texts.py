"""User-facing texts of preferences (Simplified Chinese, Telegram HTML; interpolated values escaped by the caller with `esc`)."""

SETTINGS_HEADING = "<b>个人设置</b>\n点击下方按钮切换。"
SETTINGS_LAW_TIP_ON = "每周法治小贴士：开"
SETTINGS_LAW_TIP_OFF = "每周法治小贴士：关"
SETTINGS_LAW_TIP_NOW_ON = "已开启每周法治小贴士，每周会收到一条统计法治小贴士。"
SETTINGS_LAW_TIP_NOW_OFF = "已关闭每周法治小贴士。需要时可随时在 /settings 重新开启。"
SETTINGS_UNCHANGED = "设置未变：已经是这个状态。"
