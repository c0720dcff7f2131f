"""User-facing texts of todo (Simplified Chinese, Telegram HTML; interpolated values escaped by the caller with `esc`)."""

TODO_HEADING = "<b>我的待办</b>"
TODO_EMPTY = "暂无待办事项 👍"
