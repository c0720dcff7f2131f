"""The outbox's pure rules: splitting long HTML, pacing on a fake clock, retry backoff."""

import pytest

from emulator import parse_html, utf16_len
from services.outbox import (
    MAX_MESSAGE_LENGTH,
    Pacer,
    RetryPolicy,
    escape_html,
    split_html,
)


def plain(html_text: str) -> str:
    return parse_html(html_text)[0]


def assert_valid_parts(parts: list[str], limit: int = MAX_MESSAGE_LENGTH) -> None:
    for part in parts:
        assert utf16_len(plain(part)) <= limit
        assert utf16_len(part) <= limit
        assert plain(part).strip()


def test_short_text_is_one_part() -> None:
    assert split_html("<b>通知</b>：明天开会") == ["<b>通知</b>：明天开会"]
    assert split_html("  \n ") == []


def test_long_text_splits_between_paragraphs() -> None:
    paragraphs = [f"第{i}段。" + "统" * 900 for i in range(10)]
    text = "\n\n".join(paragraphs)
    parts = split_html(text)
    assert len(parts) == 3
    assert_valid_parts(parts)
    # Every cut falls between paragraphs: each part is whole paragraphs.
    assert all(part.startswith("第") and part.rstrip().endswith("统") for part in parts)
    assert "\n\n".join(p.strip() for p in parts) == text


def test_a_long_line_without_breaks_is_cut_anywhere_but_inside_entities() -> None:
    text = "&lt;台账&gt;" * 2000  # 12,000 characters of source, 8,000 after parsing
    parts = split_html(text)
    assert_valid_parts(parts)
    assert "".join(plain(p) for p in parts) == "<台账>" * 2000


def test_tags_open_at_a_cut_are_closed_and_reopened() -> None:
    body = "\n".join(f"第{i}行：" + "企业统计" * 30 for i in range(100))
    text = f'<b>重要</b>\n<blockquote><a href="https://tjj.yueqing.gov.cn">{body}</a></blockquote>'
    parts = split_html(text, limit=1000)
    assert len(parts) > 1
    assert_valid_parts(parts, limit=1000)
    for part in parts[1:]:
        assert part.startswith('<blockquote><a href="https://tjj.yueqing.gov.cn">')
    for part in parts[:-1]:
        assert part.endswith("</a></blockquote>")
    assert "".join(plain(p).strip() for p in parts).replace("\n", "") == plain(text).replace(
        "\n", ""
    )


def test_parts_count_utf16_units() -> None:
    text = "😀" * 3000  # 6,000 UTF-16 units
    parts = split_html(text)
    assert [utf16_len(p) for p in parts] == [4096, 6000 - 4096]


def test_escape_html_makes_user_text_inert() -> None:
    assert escape_html("<b>A&B</b>") == "&lt;b&gt;A&amp;B&lt;/b&gt;"
    assert plain(escape_html("a < b & c > d")) == "a < b & c > d"


def test_pacer_spaces_messages_evenly_at_the_rate() -> None:
    pacer = Pacer(rate=25, chat_interval=1)
    starts = [pacer.reserve(chat_id, now=100.0) for chat_id in range(50)]
    assert starts[0] == 100.0
    assert starts[-1] == pytest.approx(100.0 + 49 / 25)
    # Any one-second window holds at most 25 + 1 starts (both ends included).
    assert sum(1 for s in starts if 100.0 <= s < 101.0) == 25


def test_pacer_keeps_one_second_between_messages_in_a_chat() -> None:
    pacer = Pacer(rate=25, chat_interval=1)
    first = pacer.reserve(7, now=0.0)
    other = pacer.reserve(8, now=0.0)
    second = pacer.reserve(7, now=0.0)
    assert (first, other) == (0.0, pytest.approx(0.04))
    assert second == pytest.approx(1.0)


def test_pacer_a_chat_held_back_does_not_hold_back_the_others() -> None:
    pacer = Pacer(rate=25, chat_interval=1)
    busy = [pacer.reserve(7, now=0.0) for _ in range(3)]
    assert busy == [0.0, pytest.approx(1.0), pytest.approx(2.0)]
    # The next chat takes the next free slot, not one behind chat 7's third message.
    assert pacer.reserve(8, now=0.0) == pytest.approx(0.04)
    # A slot next to a booked one keeps the spacing.
    assert pacer.reserve(9, now=1.0) == pytest.approx(1.04)


def test_pacer_gives_no_burst_credit_after_idling() -> None:
    pacer = Pacer(rate=25, chat_interval=1)
    pacer.reserve(1, now=0.0)
    assert pacer.reserve(2, now=50.0) == 50.0
    assert pacer.reserve(3, now=50.0) == pytest.approx(50.04)


def test_pacer_pause_holds_everything() -> None:
    pacer = Pacer(rate=25, chat_interval=1)
    pacer.reserve(1, now=0.0)
    pacer.pause(until=5.0)
    assert pacer.reserve(2, now=1.0) == 5.0
    assert pacer.reserve(3, now=1.0) == pytest.approx(5.04)
    pacer.pause(until=2.0)  # an earlier end never shortens a pause
    assert pacer.paused_until == 5.0


def test_backoff_doubles_up_to_the_cap_then_gives_up() -> None:
    policy = RetryPolicy()
    delays = [policy.delay(n) for n in range(1, 8)]
    assert delays == [4.0, 8.0, 16.0, 32.0, 60.0, None, None]
    assert sum(d for d in delays if d is not None) == pytest.approx(120.0)
