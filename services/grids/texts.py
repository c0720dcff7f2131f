"""User-facing texts of grids (Simplified Chinese, Telegram HTML; interpolated values escaped by the caller with `esc`)."""

GRID_CHOOSE_TOWN = "<b>请选择乡镇（街道）</b>"
GRID_CHOOSE_GRID = "<b>{town}</b> 共 {count} 个网格，请选择："
GRID_CHOOSE_OWN = "<b>请选择网格</b>"
GRID_NONE = "您管辖范围内暂无已划分的网格。"
GRID_BACK = "« 返回"
GRID_MORE = "…另有 {count} 家未列出（全文见附件/详情）"
BOUND_MARK = "已绑定"
UNBOUND_MARK = "未绑定"


def grid_summary(enterprises: int, bound: int) -> str:
    return f"企业 {enterprises} 家，统计员已绑定 {bound} 家"


def grid_label(name: str, enterprises: int) -> str:
    return f"{name}（{enterprises}家）"
