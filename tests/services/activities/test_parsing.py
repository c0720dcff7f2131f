"""The date and time window an organiser types."""

from datetime import UTC, datetime

import pytest

from services.activities.parsing import WindowError, WindowProblem, parse_window
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
