"""The date and time window an organiser types."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.activities.parsing import WindowError, WindowProblem, clean_text, parse_window
from tests.services.activities.support import NOW, TZ, local


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("12月3日 14:00-16:00", local(2026, 12, 3, 14), local(2026, 12, 3, 16)),
        ("2026-12-03 14:00-16:00", local(2026, 12, 3, 14), local(2026, 12, 3, 16)),
        ("明天 9:30-11", local(2026, 12, 4, 9, 30), local(2026, 12, 4, 11)),
        ("12月5日 下午2点-4点半", local(2026, 12, 5, 14), local(2026, 12, 5, 16, 30)),
        (
            "１２月４日　１４：００～１５：００",
            local(2026, 12, 4, 14),
            local(2026, 12, 4, 15),
        ),
        # A date without a year that has passed this year is next year's.
        ("1月5日 9:00-10:00", local(2027, 1, 5, 9), local(2027, 1, 5, 10)),
        # Started ten minutes ago but still running: accepted.
        ("今天 14:00-16:00", local(2026, 12, 3, 14), local(2026, 12, 3, 16)),
    ],
)
def test_parse_window_reads_common_chinese_forms(text: str, start: datetime, end: datetime) -> None:
    starts, ends = parse_window(text, now=NOW, tz=TZ)
    assert starts == start.astimezone(UTC)
    assert ends == end.astimezone(UTC)


# Thursday 3 December 2026, 14:10 (support.NOW).
@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("今天 现在到两小时后", local(2026, 12, 3, 14, 10), local(2026, 12, 3, 16, 10)),
        ("现在-一个半小时后", local(2026, 12, 3, 14, 10), local(2026, 12, 3, 15, 40)),
        ("现在到90分钟后", local(2026, 12, 3, 14, 10), local(2026, 12, 3, 15, 40)),
        ("下午2点到4点", local(2026, 12, 3, 14), local(2026, 12, 3, 16)),
        ("下午两点至四点半", local(2026, 12, 3, 14), local(2026, 12, 3, 16, 30)),
        ("明天上午", local(2026, 12, 4, 9), local(2026, 12, 4, 12)),
        ("明天 下午", local(2026, 12, 4, 14), local(2026, 12, 4, 17)),
        ("后天晚上", local(2026, 12, 5, 19), local(2026, 12, 5, 21)),
        ("周三 下午2点-4点", local(2026, 12, 9, 14), local(2026, 12, 9, 16)),
        ("星期五 9点到11点", local(2026, 12, 4, 9), local(2026, 12, 4, 11)),
        ("下周一 晚上7点-9点", local(2026, 12, 7, 19), local(2026, 12, 7, 21)),
        ("礼拜四 15:00-16:00", local(2026, 12, 3, 15), local(2026, 12, 3, 16)),
        ("明天 10点到一个半小时后", local(2026, 12, 4, 10), local(2026, 12, 4, 11, 30)),
        ("明天 九点三刻-十一点一刻", local(2026, 12, 4, 9, 45), local(2026, 12, 4, 11, 15)),
        ("12月5日 中午12点到1点半", local(2026, 12, 5, 12), local(2026, 12, 5, 13, 30)),
        ("大后天 8:30至两小时", local(2026, 12, 6, 8, 30), local(2026, 12, 6, 10, 30)),
    ],
)
def test_parse_window_reads_spoken_forms(text: str, start: datetime, end: datetime) -> None:
    starts, ends = parse_window(text, now=NOW, tz=TZ)
    assert (starts, ends) == (start.astimezone(UTC), end.astimezone(UTC))


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("明天 现在到两小时后", WindowProblem.FORMAT),  # 现在 is only today
        ("现在到零小时后", WindowProblem.FORMAT),
        ("上午9点到10点", WindowProblem.PAST),  # today's morning is over
        ("这周二 下午", WindowProblem.PAST),
        ("晚上9点到8点", WindowProblem.ORDER),
    ],
)
def test_parse_window_refuses_spoken_forms_that_cannot_be(
    text: str, problem: WindowProblem
) -> None:
    with pytest.raises(WindowError) as raised:
        parse_window(text, now=NOW, tz=TZ)
    assert raised.value.problem == problem


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("下周找个时间", WindowProblem.FORMAT),
        ("12月3日", WindowProblem.FORMAT),
        ("13月40日 9:00-10:00", WindowProblem.FORMAT),
        ("明天 25:00-26:00", WindowProblem.FORMAT),
        ("明天 11:00-10:00", WindowProblem.ORDER),
        ("明天 10:00-10:00", WindowProblem.ORDER),
        ("2026-12-01 9:00-10:00", WindowProblem.PAST),
        ("今天 9:00-10:00", WindowProblem.PAST),
    ],
)
def test_parse_window_refuses_bad_input(text: str, problem: WindowProblem) -> None:
    with pytest.raises(WindowError) as raised:
        parse_window(text, now=NOW, tz=TZ)
    assert raised.value.problem == problem


@pytest.mark.parametrize(
    ("text", "tz"),
    [("0001-01-01 0:00-1:00", "Asia/Shanghai"), ("9999-12-31 22:00-23:00", "America/New_York")],
)
def test_a_window_beyond_the_calendar_in_utc_is_refused(text: str, tz: str) -> None:
    # These used to raise OverflowError rather than a refusal.
    with pytest.raises(WindowError) as raised:
        parse_window(text, now=NOW, tz=ZoneInfo(tz))
    assert raised.value.problem == WindowProblem.FORMAT


TIME_ZONES = [ZoneInfo(name) for name in ("Asia/Shanghai", "Asia/Tokyo", "America/New_York", "UTC")]
# Hypothesis bounds datetimes by naive values and adds the time zone itself.
moments = st.datetimes(
    min_value=datetime(2000, 1, 1),  # noqa: DTZ001
    max_value=datetime(2100, 1, 1),  # noqa: DTZ001
    timezones=st.just(UTC),
)
# Pieces of what organisers type, so that the generated texts often come close to a window.
piece = st.sampled_from(
    [
        "今天",
        "明天",
        "后天",
        "12月3日",
        "2026-12-03",
        "0001-01-01",
        "9999-12-31",
        "2月30日",
        "13月1日",
        "周四",
        "星期五",
        "上午",
        "下午",
        "晚上",
        "9",
        "11",
        "25",
        "9:30",
        "14:00",
        "16点半",
        "4点",
        "-",
        "~",
        "至",
        "到",
        "－",
        "：",
        " ",
        "　",
        "１２",
        "分",
        "现在",
        "两小时后",
        "一个半小时",
        "90分钟",
        "下周三",
        "三点",
        "十点半",
        "一刻",
        "中午",
    ]
)
texts_like_windows = st.lists(piece, max_size=8).map("".join)


@given(st.one_of(st.text(max_size=60), texts_like_windows), moments, st.sampled_from(TIME_ZONES))
def test_any_text_is_a_window_or_a_clean_refusal(text: str, now: datetime, tz: ZoneInfo) -> None:
    try:
        starts, ends = parse_window(text, now=now, tz=tz)
    except WindowError:
        return
    assert starts.tzinfo == UTC
    assert ends.tzinfo == UTC
    assert starts < ends
    assert ends > now


@given(st.text(max_size=300), st.integers(min_value=1, max_value=200))
def test_clean_text_is_one_trimmed_line_within_the_limit_or_none(text: str, limit: int) -> None:
    value = clean_text(text, limit)
    assert value is None or (0 < len(value) <= limit and value == " ".join(value.split()))
