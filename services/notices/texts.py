"""User-facing texts of notices (Simplified Chinese, Telegram HTML; interpolated values escaped by the caller with `esc`)."""

from datetime import datetime, tzinfo

from core.formatting import esc

NOTICE_ASK_TEXT = "请发送通知正文（文字）。\n随时发送 /cancel 取消，取消前不会发出任何内容。"
NOTICE_TEXT_EMPTY = "通知正文不能为空，请发送文字内容。"
NOTICE_TEXT_TOO_LONG = (
    "通知正文最多 {limit} 字，这段有 {length} 字，超出 {over} 字。"
    "请删减后重新发送；全文较长可在下一步作为文件附上。"
)
NOTICE_ASK_MEDIA = "如需附带<b>图片或文件</b>，请现在发送；不需要请点「跳过」。"
NOTICE_MEDIA_WRONG = "请发送一张图片或一个文件，或点「跳过」。"
NOTICE_SKIP = "跳过"
NOTICE_ASK_TARGET = "<b>发送给谁？</b>请选择范围："
NOTICE_NO_TARGETS = (
    "您的角色暂时没有可以发送通知的范围（需为网格指导员、网格长、分管负责人或管理员）。"
)
NOTICE_ASK_ROLE = "<b>{scope}</b>\n请选择接收人："
NOTICE_EMPTY_AUDIENCE = "所选范围内没有可接收通知的人员，请重新选择。"
NOTICE_SEND = "确认发送"
NOTICE_CANCEL = "取消"
NOTICE_CANCELLED = "已取消，通知没有发出。"
NOTICE_TIMEOUT = "通知编辑超过15分钟未完成，已自动取消，没有发出任何内容。"
NOTICE_STALE = "该按钮已失效，请重新发送 /notice。"
NOTICE_NOT_RECIPIENT = "这条通知不是发给您的，无法确认。"
NOTICE_NOT_SENDER = "只有通知的发送人或管理员可以查看这条通知的回执。"
NOTICE_UNKNOWN = "没有找到这条通知。"
NOTICE_READ = "已阅"
NOTICE_ALREADY_READ = "您已确认过这条通知，无需重复确认。"
NOTICE_REFRESH = "刷新"
NOTICE_REMIND = "提醒未读"
NOTICE_NONE_SENT = "您还没有发过通知。发送 /notice 编写一条。"
NOTICE_LIST_HEADING = "<b>我最近发出的通知</b>（点击查看回执）"
NOTICE_REMIND_NOBODY = "没有需要提醒的人：未阅的人员都未绑定或已屏蔽机器人（或全部已阅）。"
NOTICE_TODO_SECTION = "待确认通知"
NOTICE_SCOPE_GRID = "我的网格：{name}"
NOTICE_SCOPE_TOWN = "{name}全镇（街道）"
NOTICE_SCOPE_CITY = "全市（{name}）"
NOTICE_AUDIENCE_LABELS = {
    "all": "全体人员",
    "member": "仅网格员",
    "head": "仅网格长",
    "instructor": "仅网格指导员",
}
NOTICE_MEDIA_LABELS = {"photo": "图片", "document": "文件"}


def stamp(moment: datetime, tz: tzinfo) -> str:
    """03-02 10:05 in `tz`: when a notice was sent or read."""
    return moment.astimezone(tz).strftime("%m-%d %H:%M")


def notice_read_button(when: str) -> str:
    return f"✅ 已阅 ({when})"


def notice_preview(
    *, body: str, media: str | None, target: str, total: int, unbound: int, unreachable: int
) -> str:
    lines = ["<b>通知预览</b>", "", esc(body), ""]
    if media:
        lines.append(f"附件：{media}")
    lines.append(f"发送范围：{esc(target)}")
    lines.append(f"接收人：<b>{total}</b> 人")
    if unbound or unreachable:
        lines.append(f"其中 {unbound} 人未绑定、{unreachable} 人已屏蔽机器人，暂时无法送达。")
    lines.append("")
    lines.append("确认无误后点「确认发送」。")
    return "\n".join(lines)


def notice_message(*, sender: str, body: str, target: str) -> str:
    """What recipients receive; `body` is the sender's text, escaped here."""
    return (
        f"📢 <b>通知</b>（{esc(sender)}·{esc(target)}）\n\n{esc(body)}\n\n"
        "请阅读后点下方「已阅」确认。"
    )


def notice_reminder(*, sender: str, sent_at: str, body: str) -> str:
    return (
        f"⏰ <b>提醒</b>：{esc(sender)}于 {sent_at} 发出的通知您还没有确认，"
        f"请阅读后点「已阅」。\n\n{esc(body)}"
    )


def notice_excerpt(body: str, limit: int = 24) -> str:
    flat = " ".join(body.split())
    return esc(flat if len(flat) <= limit else flat[: limit - 1] + "…")


def notice_panel(
    *,
    notice_id: int,
    excerpt: str,
    target: str,
    sent_at: str,
    counts: dict[str, int],
    unread: list[str],
    updated_at: str,
) -> str:
    """The sender's status panel; `unread` names are escaped here, `excerpt` already is."""
    lines = [
        f"<b>通知 #{notice_id}</b>：{excerpt}",
        f"范围：{esc(target)}　发送于 {sent_at}",
        "",
        f"接收人 {counts['total']} 人：已送达 {counts['sent']}，<b>已阅 {counts['read']}</b>，"
        f"发送中 {counts['pending']}，失败 {counts['failed']}，"
        f"已屏蔽 {counts['blocked']}，未绑定 {counts['unbound']}",
    ]
    if unread:
        shown = "、".join(esc(name) for name in unread[:60])
        more = f" 等 {len(unread)} 人" if len(unread) > 60 else ""
        lines += ["", f"<b>未阅（{len(unread)}）</b>：{shown}{more}"]
    else:
        lines += ["", "全部已阅。"]
    lines += ["", f"更新于 {updated_at}"]
    return "\n".join(lines)


def notice_list_line(*, notice_id: int, excerpt: str, sent_at: str, read: int, total: int) -> str:
    return f"#{notice_id} {sent_at} {excerpt}（已阅 {read}/{total}）"


def notice_list_button(*, notice_id: int, read: int, total: int) -> str:
    return f"#{notice_id} 回执 {read}/{total}"


def notice_reminded(count: int) -> str:
    return f"已向 {count} 位未阅人员发送提醒。"


def notice_remind_too_soon(*, when: str, minutes: int) -> str:
    every = "每小时" if minutes == 60 else f"每 {minutes} 分钟"
    return f"提醒过于频繁：每条通知{every}最多提醒一次，{when} 后可再次提醒。"


def notice_todo_line(*, excerpt: str, sender: str, sent_at: str) -> str:
    return f"{excerpt}（{esc(sender)}，{sent_at}）——请在通知消息下点「已阅」"


NOTICE_UNBOUND_MARK = "（未绑定）"
NOTICE_BLOCKED_MARK = "（已屏蔽）"
