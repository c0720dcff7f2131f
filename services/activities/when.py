"""When an activity is: the date and time window organisers type, as they would say it.

    12月3日 14:00-16:00        2026-12-03 14:00-16:00     明天 9:30-11
    下午2点到4点半             今天 现在到两小时后          明天上午
    周三 下午两点至四点        下周一 晚上7点-9点           后天 10点到一个半小时后

A day (今天/明天/后天/大后天, 周X/星期X/礼拜X -- the coming one, 下周X the one of next week --,
or a date; none: today) is followed by a half of the day alone (上午 9-12, 中午 12-14, 下午
14-17, 晚上 19-21) or by a start and an end joined by 到/至/-/~. A start is 现在 or a clock
time; an end is a clock time or a length (两小时, 一个半小时后, 90分钟). Clock times take
digits or Chinese numerals, 点/时/: and 半/一刻/三刻; 下午/晚上 move hours before 12 by 12
hours, and an end without its own half of the day takes the start's.
"""

import re
import unicodedata
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum

from knowledge.numerals import parse_chinese


class WindowProblem(StrEnum):
    FORMAT = "format"
    ORDER = "order"
    PAST = "past"


class WindowError(ValueError):
    def __init__(self, problem: WindowProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


_DAY_WORDS = {"今天": 0, "今日": 0, "明天": 1, "明日": 1, "后天": 2, "大后天": 3}
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_WEEKDAYS |= {str(n): n - 1 for n in range(1, 8)}
# A half of the day said alone, and the window it stands for.
_HALF_DAYS = {
    "上午": (time(9), time(12)),
    "早上": (time(8), time(10)),
    "中午": (time(12), time(14)),
    "下午": (time(14), time(17)),
    "晚上": (time(19), time(21)),
}
_NUMBER = r"(?:\d{1,3}|[零〇一二两三四五六七八九十]{1,3})"
_PART = r"上午|早上|中午|下午|晚上"


def _clock(prefix: str) -> str:
    return (
        rf"(?P<{prefix}part>{_PART})?\s*(?P<{prefix}h>{_NUMBER})"
        rf"(?:\s*(?:[:：]|点钟?|时)\s*(?P<{prefix}m>\d{{1,2}}|半|一刻|三刻|{_NUMBER})?\s*分?)?"
    )


_DAY = (
    r"(?:(?P<word>大后天|今天|今日|明天|明日|后天)"
    r"|(?P<week>下|这|本)?(?:周|星期|礼拜)(?P<wd>[一二三四五六日天1-7])"
    r"|(?:(?P<y>\d{4})\s*[-/.年]\s*)?(?P<mo>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*[日号]?"
    r"(?:\s*(?:周|星期|礼拜)[一二三四五六日天1-7])?)"
)
_LENGTH = (
    r"(?:(?P<hours>\d{1,2}(?:\.\d)?|[零〇一二两三四五六七八九十]{1,3})?\s*个?\s*(?P<half>半)?\s*"
    r"(?P<unit>小时|钟头)|(?P<minutes>\d{1,3}|[一二两三四五六七八九十]{1,3})\s*分钟)"
    r"\s*(?:以后|之后|后)?"
)
_SEPARATOR = r"\s*(?:到|至|-|~|—|–|－)+\s*"
_WINDOW = re.compile(
    rf"^(?:{_DAY})?\s*(?:(?P<alone>{_PART})|(?:(?P<now>现在|此刻)|{_clock('s')})"
    rf"{_SEPARATOR}(?:{_LENGTH}|{_clock('e')}))$"
)


def _number(text: str) -> int:
    if text.isascii() and text.isdigit():
        return int(text)
    value = 0 if text in ("零", "〇") else parse_chinese(text)
    if value is None:
        raise ValueError(text)
    return value


def _minutes(text: str | None) -> int:
    if text is None:
        return 0
    return {"半": 30, "一刻": 15, "三刻": 45}.get(text) or _number(text)


def _hour(part: str | None, text: str) -> int:
    hour = _number(text)
    if (part in ("下午", "晚上") and hour < 12) or (part == "中午" and hour < 3):
        hour += 12
    return hour


def _day(match: re.Match[str], today: date) -> date:
    if match["word"]:
        return today + timedelta(days=_DAY_WORDS[match["word"]])
    if match["wd"]:
        weekday = _WEEKDAYS[match["wd"]]
        if match["week"] == "下":
            return today + timedelta(days=7 - today.weekday() + weekday)
        if match["week"] in ("这", "本"):
            return today + timedelta(days=weekday - today.weekday())
        return today + timedelta(days=(weekday - today.weekday()) % 7)
    if match["mo"]:
        month, day = int(match["mo"]), int(match["d"])
        if match["y"]:
            return date(int(match["y"]), month, day)
        on = date(today.year, month, day)
        return on if on >= today else date(today.year + 1, month, day)
    return today


def _length(match: re.Match[str]) -> timedelta:
    if match["minutes"]:
        return timedelta(minutes=_number(match["minutes"]))
    hours = match["hours"]
    whole = float(hours) if hours and hours[0].isdigit() else _number(hours) if hours else 0
    length = timedelta(hours=whole) + (timedelta(minutes=30) if match["half"] else timedelta())
    if not match["unit"] or length <= timedelta():
        raise ValueError("no length")
    return length


def parse_window(text: str, *, now: datetime, tz: tzinfo) -> tuple[datetime, datetime]:
    """The window `text` names, read in `tz` (see the module docstring); UTC datetimes.

    A date without a year is the next such date from today. Raises WindowError: FORMAT
    when it cannot be read, ORDER when it ends before it starts, PAST when it is over.
    """
    match = _WINDOW.match(unicodedata.normalize("NFKC", text).strip())
    if match is None:
        raise WindowError(WindowProblem.FORMAT)
    local_now = now.astimezone(tz)
    try:
        on = _day(match, local_now.date())
        if match["alone"]:
            first, last = _HALF_DAYS[match["alone"]]
            starts = datetime.combine(on, first, tzinfo=tz)
            ends = datetime.combine(on, last, tzinfo=tz)
        else:
            if match["now"]:
                starts = local_now.replace(second=0, microsecond=0)
                if on != local_now.date():
                    raise ValueError("现在 is today")
            else:
                clock = time(_hour(match["spart"], match["sh"]), _minutes(match["sm"]))
                starts = datetime.combine(on, clock, tzinfo=tz)
            if match["eh"] is not None:
                part = match["epart"] or match["spart"]
                clock = time(_hour(part, match["eh"]), _minutes(match["em"]))
                ends = datetime.combine(on, clock, tzinfo=tz)
            else:
                ends = starts + _length(match)
        starts_utc, ends_utc = starts.astimezone(UTC), ends.astimezone(UTC)
    except (ValueError, OverflowError, KeyError):
        # No such date or time; OverflowError: a time at the edge of year 1 or 9999 in UTC.
        raise WindowError(WindowProblem.FORMAT) from None
    if ends_utc <= starts_utc:
        raise WindowError(WindowProblem.ORDER)
    if ends_utc <= now:
        raise WindowError(WindowProblem.PAST)
    return starts_utc, ends_utc
