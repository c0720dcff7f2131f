"""User-facing texts of todo (Simplified Chinese, Telegram HTML; interpolated values escaped by the caller with `esc`)."""

TODO_HEADING = "<b>我的待办</b>"
TODO_EMPTY = "暂无待办事项 👍"
TODO_MORE = "…另有 {count} 行未列出（全文见附件/详情：/questions、/notices、/activities）"
