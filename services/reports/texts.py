"""User-facing texts of reports (Simplified Chinese, Telegram HTML; interpolated values escaped by the caller with `esc`)."""

from datetime import datetime, tzinfo

from core.formatting import esc

REPORT_PARTS = (
    "本月开展的网格活动",
    "企业报表报送及数据质量问题",
    "需要协调帮助的事项",
    "下月工作计划",
)
REPORT_USE_SUGGESTION = "使用建议"
REPORT_NOTHING = "暂无"
REPORT_SUBMIT = "提交"
REPORT_CANCEL = "取消"
REPORT_HEARD = "已听取汇报"
REPORT_NOT_GRID_HEAD = (
    "月度情况汇报由三级网格的网格长提交；您不是三级网格的网格长。"
    "截止日后，二级网格长和分管负责人会收到本镇各网格的汇报汇总。"
)
REPORT_CHOOSE_GRID = "您是多个网格的网格长，请选择要汇报的网格："
REPORT_TEXT_EMPTY = "内容不能为空，请重新发送。"
REPORT_TEXT_TOO_LONG = (
    "每一部分最多 {limit} 字（四部分合起来要在一条消息里预览），这段有 {length} 字，"
    "超出 {over} 字。请删减后重新发送本部分。"
)
REPORT_PRESS_A_BUTTON = "请点上方按钮，或直接发送文字；发送 /cancel 放弃本次汇报。"
REPORT_CANCELLED = "已取消，本次汇报没有保存。"
REPORT_TIMED_OUT = "汇报填写超时，没有保存；需要时请重新发送 /report。"
REPORT_PREVIEW_FOOTER = "确认无误请点「提交」；发送 /cancel 放弃。"
REPORT_LOCKED = (
    "{grid} {period}的汇报已于 {when} 提交，本镇汇总已发出，不能再修改。"
    "如需补充，请直接联系二级网格长。"
)
REPORT_NOT_FOUND = "该汇报不存在或不在您的查看范围内。"
REPORT_HEARING_FORBIDDEN = "只有本镇（街道）的二级网格长可以确认听取汇报。"
REPORT_HEARING_TOO_EARLY = "本期汇报尚未汇总，汇总发出后再确认听取。"
REPORT_HEARING_NO_DIGEST = "该月的汇报汇总没有发送给您，无法确认听取。"
REPORT_HEARING_TOO_LATE = "该月汇报的听取确认已过期（须在汇总发出后 {days} 天内确认），不再记录。"
REPORT_HEARING_DONE = "已记录：您已听取{town}{period}网格情况汇报（{when}）。"
REPORT_HEARING_ALREADY = "{town}{period}的汇报已由{name}于 {when} 确认听取。"
REPORT_TODO_SECTION = "网格职责"
QUARTER_NONE = "（无）"


def stamp(moment: datetime, tz: tzinfo) -> str:
    """ "12-28 09:30" in `tz`: when a report was submitted or heard."""
    return moment.astimezone(tz).strftime("%m-%d %H:%M")


def period_label(period: str) -> str:
    """ "2026-12" -> "2026年12月"."""
    year, month = period.split("-")
    return f"{year}年{int(month)}月"


def quarter_label(quarter: str) -> str:
    """ "2026Q4" -> "2026年第四季度"."""
    year, number = quarter.split("Q")
    return f"{year}年第{'一二三四'[int(number) - 1]}季度"


def report_step(*, index: int, suggestion: str | None, existing: bool) -> str:
    """One step of /report; `suggestion` is already escaped HTML."""
    lines = []
    if existing and index == 0:
        lines += ["ℹ️ 本月汇报已提交过，再次提交将替换原汇报。", ""]
    lines.append(f"<b>第{index + 1}步/共4步：{REPORT_PARTS[index]}</b>")
    if suggestion:
        lines += [
            "",
            "根据机器人记录，建议填写：",
            f"<blockquote>{suggestion}</blockquote>",
            "",
            f"点「{REPORT_USE_SUGGESTION}」采用，或直接发送您要填写的内容。",
        ]
    else:
        lines += ["", f"请直接发送内容；没有可点「{REPORT_NOTHING}」。"]
    return "\n".join(lines)


def report_body(*, parts: tuple[str, str, str, str]) -> str:
    """The four parts of a report; the parts are user text, escaped here."""
    lines: list[str] = []
    for title, body in zip(REPORT_PARTS, parts, strict=True):
        lines += [f"<b>{title}</b>", esc(body), ""]
    return "\n".join(lines).rstrip()


def report_preview(*, grid: str, period: str, parts: tuple[str, str, str, str]) -> str:
    return (
        f"<b>{esc(grid)} {period_label(period)}网格情况汇报（预览）</b>\n\n"
        f"{report_body(parts=parts)}\n\n{REPORT_PREVIEW_FOOTER}"
    )


def report_as_submitted(*, grid: str, period: str, parts: tuple[str, str, str, str]) -> str:
    """The preview message once its report is submitted."""
    return (
        f"📄 <b>{esc(grid)} {period_label(period)}网格情况汇报（已提交）</b>\n\n"
        f"{report_body(parts=parts)}"
    )


def report_view(
    *,
    grid: str,
    period: str,
    author: str,
    submitted: str,
    late: bool,
    parts: tuple[str, str, str, str],
) -> str:
    mark = "（逾期提交）" if late else ""
    return (
        f"📄 <b>{esc(grid)} {period_label(period)}网格情况汇报</b>\n"
        f"网格长 {esc(author)}，提交于 {submitted}{mark}\n\n{report_body(parts=parts)}"
    )


def report_submitted(*, grid: str, period: str, late: bool, replaced: bool) -> str:
    text = f"✅ 已提交{esc(grid)} {period_label(period)}网格情况汇报。"
    if replaced:
        text += "原汇报已被替换。"
    if late:
        text += "\n本镇汇总已发出，本汇报记为逾期提交，并已转给二级网格长和分管负责人。"
    return text


def report_heard_button(when: str) -> str:
    return f"✅ 已听取汇报（{when}）"


def report_view_button(grid: str) -> str:
    return f"查看 {grid}"


def report_reminder(*, period: str, deadline: str, grids: list[str], step: str) -> str:
    when = "今天是截止日" if step == "d0" else f"截止日为 {deadline}"
    names = "、".join(esc(g) for g in grids)
    return (
        f"⏰ <b>月度网格情况汇报提醒</b>\n\n"
        f"您负责的 {names} 还没有提交{period_label(period)}网格情况汇报，{when}。\n"
        "发送 /report 开始填写（机器人会根据本月活动、提问和通知给出建议）。"
    )


def report_digest(
    *,
    town: str,
    period: str,
    deadline: str,
    submitted: list[tuple[str, str, str, bool]],
    missing: list[tuple[str, str]],
    for_head: bool,
) -> str:
    """The town's digest. `submitted`: (grid, author, when, late); `missing`: (grid, heads)."""
    total = len(submitted) + len(missing)
    lines = [
        f"📋 <b>{esc(town)} {period_label(period)}网格情况汇报汇总</b>",
        f"截止日 {deadline}；已提交 {len(submitted)}/{total} 个网格。",
    ]
    if submitted:
        lines += ["", "<b>已提交</b>"]
        lines += [
            f"• {esc(grid)}：{esc(author)}，{when}{'（逾期）' if late else ''}"
            for grid, author, when, late in submitted
        ]
    if missing:
        lines += ["", f"<b>未提交（{len(missing)}）</b>"]
        lines += [f"• {esc(grid)}（网格长：{esc(heads) or '未配备'}）" for grid, heads in missing]
    lines += ["", "点下方「查看」按钮阅读各网格的汇报。"]
    if for_head:
        lines.append(f"听取汇报后请点「{REPORT_HEARD}」确认（每月至少听取1次）。")
    return "\n".join(lines)


def report_late_alert(*, grid: str, period: str, author: str) -> str:
    return (
        f"📄 {esc(grid)}的{period_label(period)}网格情况汇报已由{esc(author)}逾期提交，"
        "点下方按钮查看。"
    )


def report_escalation(
    *, town: str, period: str, heads: str, submitted: int, total: int, by: str
) -> str:
    return (
        f"⚠️ <b>月度汇报听取未确认</b>\n\n"
        f"{esc(town)}二级网格长（{esc(heads) or '未配备'}）截至 {by} 仍未确认听取"
        f"{period_label(period)}网格情况汇报（已提交 {submitted}/{total} 个网格）。"
        "请督促落实“二级网格长每月听取三级网格长情况汇报不少于1次”。"
    )


def report_todo_submit(*, grid: str, period: str, deadline: str) -> str:
    return f"提交{esc(grid)} {period_label(period)}网格情况汇报（截止 {deadline}）——发送 /report"


def report_todo_hearing(*, town: str, period: str) -> str:
    return (
        f"听取{esc(town)}{period_label(period)}网格情况汇报，并在汇总消息下点「{REPORT_HEARD}」确认"
    )


def quarter_reminder(*, quarter: str, grids: list[str], end: str) -> str:
    names = "、".join(esc(g) for g in grids)
    return (
        f"⏰ <b>季度网格活动提醒</b>\n\n"
        f"{names} 在{quarter_label(quarter)}还没有安排网格活动。按要求各级网格每季度要组织"
        f"学习、交流、探讨、团建等活动，请在 {end} 前安排；发送 /activity 发起活动。"
    )


def quarter_escalation(*, town: str, quarter: str, grids: list[str], end: str) -> str:
    names = "\n".join(f"• {esc(g)}" for g in grids)
    return (
        f"⚠️ <b>{esc(town)}{quarter_label(quarter)}网格活动督促</b>\n\n"
        f"距季度末（{end}）已不足两周，以下 {len(grids)} 个网格本季度仍未安排活动：\n{names}"
    )


def quarter_summary(
    *, scope: str, quarter: str, towns: list[tuple[str, list[str], list[str]]]
) -> str:
    """`towns`: (town, grids with an activity, grids without)."""
    held = sum(len(w) for _t, w, _wo in towns)
    total = held + sum(len(wo) for _t, _w, wo in towns)
    lines = [
        f"📊 <b>{esc(scope)}{quarter_label(quarter)}网格活动情况</b>",
        f"已开展活动的网格 {held}/{total} 个。",
    ]
    for town, with_activity, without in towns:
        lines += [
            "",
            f"<b>{esc(town)}</b>（{len(with_activity)}/{len(with_activity) + len(without)}）",
        ]
        lines.append("已开展：" + ("、".join(esc(g) for g in with_activity) or QUARTER_NONE))
        lines.append("未开展：" + ("、".join(esc(g) for g in without) or QUARTER_NONE))
    return "\n".join(lines)


# /duties and `gridbot duties status`: who did the monthly report and the quarterly activity.
DUTIES_NONE_IN_SCOPE = "您的职责范围内没有网格。"
DUTIES_MONTHLY_TITLE = "📋 <b>{period} 网格月度情况汇报</b>"
DUTIES_MONTHLY_TOWN = "\n<b>{town}</b>（已提交 {done}/{total}）"
DUTIES_HEARD = "  ✅ 已听取汇报：{who}（{when}）"
DUTIES_NOT_HEARD = "  ⏳ 二级网格长尚未确认听取汇报"
DUTIES_UNHEARD = (
    "⏳ <b>{town}{period}</b>的网格情况汇报（已提交 {done}/{total}）您尚未确认听取："
    "可逐份查看，听取后点［已听取汇报］。"
)
DUTIES_SUBMITTED = "  · {grid}：{who} {when} 提交{late}"
DUTIES_LATE = "（逾期）"
DUTIES_MISSING = "  · {grid}：❌ 未提交（网格长：{heads}）"
DUTIES_NO_HEAD = "未配备"
DUTIES_QUARTERLY_TITLE = "🗓 <b>{quarter} 网格活动</b>"
DUTIES_QUARTERLY_TOWN = "\n<b>{town}</b>（已开展活动 {done}/{total}）"
DUTIES_ACTIVITIES = "  · {grid}：已组织 {count} 次"
DUTIES_NO_ACTIVITY = "  · {grid}：❌ 本季度尚无活动"
# A grid (or town) not judged for the period: it began before the grid was added or the city
# went live (services/coverage.py).
DUTIES_NOT_COVERED = "  · {grid}：未纳入（{since}起纳入考核）"
DUTIES_TOWN_NOT_COVERED = "\n<b>{town}</b>：本期未纳入（{since}起纳入考核）"
