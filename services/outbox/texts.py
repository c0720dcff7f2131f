"""User-facing texts of the outbox (Simplified Chinese, Telegram HTML; interpolated values escaped by the caller with `esc`)."""

UNREACHABLE_ALERT = (
    "⚠️ {who}已屏蔽机器人，无法收到通知，请电话联系（{mobile}）。\n"
    "对方重新启用机器人后会自动恢复推送。"
)
