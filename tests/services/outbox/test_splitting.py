"""Splitting long HTML into Telegram messages, each valid on its own."""

from core.formatting import esc
from emulator import parse_html, utf16_len
from services.outbox.splitting import MAX_MESSAGE_LENGTH, split_html


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


def test_esc_makes_user_text_inert() -> None:
    assert esc("<b>A&B</b>") == "&lt;b&gt;A&amp;B&lt;/b&gt;"
    assert plain(esc("a < b & c > d")) == "a < b & c > d"
