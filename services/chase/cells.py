"""The cells of a platform export: headers and their variants, 状态, 报告期, 截止时间 and unit
codes. Every parser takes any text and returns a value or raises Invalid with the reason."""

import re
from datetime import date, datetime, time, timedelta, tzinfo

from models.tables.chase import PlatformStatus
from services.roster_import.cells import Invalid, compare_key, nfkc, parse_date, parse_uscc

# Canonical header -> the variants the platform's exports (and people retyping them) use.
HEADER_VARIANTS: dict[str, tuple[str, ...]] = {
    "统一社会信用代码": ("统一社会信用代码", "社会信用代码", "信用代码", "统一代码"),
    "组织机构代码": ("组织机构代码", "机构代码", "组织机构代码(9位)"),
    "单位详细名称": ("单位详细名称", "详细名称"),
    "单位名称": ("单位名称", "企业名称", "调查单位名称", "名称"),
    "表号": ("表号", "报表号", "报表编号", "表式号"),
    "报表名称": ("报表名称", "表名", "报表", "表名称"),
    "报告期": ("报告期", "报告期别", "期别", "报告期间"),
    "状态": ("状态", "上报状态", "报送状态", "审核状态", "数据状态"),
    "问题说明": ("问题说明", "审核说明", "问题描述", "问题", "说明", "备注", "未通过原因"),
    "截止时间": ("截止时间", "截止日期", "报送截止时间", "上报截止时间", "截止"),
}
HEADER_ALIASES = {
    compare_key(v): canonical for canonical, vs in HEADER_VARIANTS.items() for v in vs
}
ID_HEADERS = ("统一社会信用代码", "组织机构代码", "单位详细名称")
FORM_HEADERS = ("表号", "报表名称")

STATUS_VARIANTS: dict[PlatformStatus, tuple[str, ...]] = {
    PlatformStatus.NOT_REPORTED: ("未上报", "未报", "未报送", "未填报", "未提交"),
    PlatformStatus.CHECK_FAILED: ("审核未通过", "审核不通过", "未通过审核", "审核未过", "退回"),
    PlatformStatus.QUERY_UNEXPLAINED: ("查询未解释", "未解释", "查询未说明", "核查未解释"),
    PlatformStatus.REPORTED: ("已上报", "已报", "已报送", "已提交", "审核通过", "已通过"),
}
_STATUSES = {compare_key(v): status for status, vs in STATUS_VARIANTS.items() for v in vs}

_PERIOD_FORMS = (
    re.compile(r"(\d{4}) ?[-/.] ?(\d{1,2})(?: ?月)?"),
    re.compile(r"(\d{4}) ?年 ?(\d{1,2}) ?月(?:份)?"),
    re.compile(r"(\d{4})(\d{2})"),
    # An Excel date cell (the first of the month) read as ISO text.
    re.compile(r"(\d{4})-(\d{2})-01(?:T00:00:00)?"),
)
_TIME = re.compile(r"(.*?)[ T](\d{1,2}):(\d{2})(?::\d{2}(?:\.\d+)?)?")
_ORG_CODE = re.compile(r"[0-9A-Z]{8}-?[0-9X]")
MAX_FORM, MAX_PROBLEM = 100, 500


def canonical_header(text: str) -> str:
    key = compare_key(text).rstrip("*").replace("（", "(").replace("）", ")")
    return HEADER_ALIASES.get(key, key)


def parse_status(text: str) -> PlatformStatus:
    found = _STATUSES.get(compare_key(text))
    if found is None:
        raise Invalid(f"无法识别的状态，应为 {'、'.join(PlatformStatus)} 之一")
    return found


def parse_period(text: str) -> str:
    """2026-11 from 2026-11, 2026/11, 2026年11月, 202611 or an Excel date cell."""
    key = nfkc(text).strip()
    match = next((m for form in _PERIOD_FORMS if (m := form.fullmatch(key))), None)
    if match is None:
        raise Invalid("无法识别的报告期，请写成 2026-11 或 2026年11月")
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12 or not 1990 <= year <= 2100:
        raise Invalid(f"报告期不存在：{year}年{month}月")
    return f"{year:04d}-{month:02d}"


def parse_deadline(text: str, tz: tzinfo) -> datetime:
    """The moment a deadline passes: a date (the end of that day) or a date and time."""
    key = nfkc(text).strip()
    timed = _TIME.fullmatch(key)
    if timed is not None:
        day = parse_date(timed.group(1))
        hour, minute = int(timed.group(2)), int(timed.group(3))
        if hour > 24 or minute > 59 or (hour == 24 and minute):
            raise Invalid(f"截止时间不存在：{hour}:{minute:02d}")
        if (hour, minute) == (0, 0):
            # An Excel date cell reads back with 00:00: the deadline is that whole day.
            return datetime.combine(day + timedelta(days=1), time(), tzinfo=tz)
        return datetime.combine(day, time(), tzinfo=tz) + timedelta(hours=hour, minutes=minute)
    return datetime.combine(parse_date(key) + timedelta(days=1), time(), tzinfo=tz)


def parse_org_code(text: str) -> str:
    """A 9-character 组织机构代码 (with or without its dash), as stored in a USCC (8+1)."""
    code = re.sub(r"\s", "", nfkc(text)).upper()
    if not _ORG_CODE.fullmatch(code):
        raise Invalid("组织机构代码应为 9 位（8 位本体码 + 1 位校验码，如 12345678-9）")
    return code.replace("-", "")


def parse_code(text: str, rounded: bool) -> str:
    return parse_uscc(text, rounded)


def name_key(text: str) -> str:
    """The form names are matched in: NFKC, no whitespace, full-width brackets as ASCII."""
    return compare_key(text).replace("（", "(").replace("）", ")")


def bounded(text: str, limit: int, what: str) -> str:
    if len(text) > limit:
        raise Invalid(f"{what}过长：最多 {limit} 个字，实际 {len(text)} 个字")
    return text


def deadline_day(deadline: datetime, tz: tzinfo) -> date:
    """The last day a deadline leaves (a deadline at midnight is the day before's end)."""
    local = deadline.astimezone(tz)
    return local.date() - timedelta(days=1) if local.time() == time() else local.date()


def shown_deadline(deadline: datetime | None, tz: tzinfo) -> str:
    if deadline is None:
        return "未注明"
    local = deadline.astimezone(tz)
    day = deadline_day(deadline, tz)
    text = f"{day.month}月{day.day}日"
    return text if local.time() == time() else f"{text} {local:%H:%M}"
