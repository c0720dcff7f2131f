"""Our count of a message's length agrees with the emulator's (Telegram's: UTF-16 units of the
text after HTML parsing), and a truncated message fits and still parses."""

from hypothesis import given
from hypothesis import strategies as st

from core.formatting import (
    CAPTION_LIMIT,
    TEXT_LIMIT,
    TRUNCATED_MARK,
    esc,
    fit_lines,
    rendered_len,
    truncate_html,
    truncate_plain,
    utf16_len,
)
from emulator import parse_html
from emulator import utf16_len as emulator_utf16_len
from emulator.limits import MAX_CAPTION_LENGTH, MAX_MESSAGE_LENGTH

_TAGS = ("b", "i", "u", "s", "code", "blockquote")
# User text with what escaping and counting can trip on: entities, emoji, CJK, newlines.
_TEXT = st.lists(
    st.sampled_from([*"ab &<>\"'\n统计法😀𝕏", "&amp;", "&lt;", "&#65;"]), max_size=60
).map("".join)


@st.composite
def html_messages(draw: st.DrawFn) -> str:
    pieces = []
    for text in draw(st.lists(_TEXT, min_size=1, max_size=8)):
        tag = draw(st.sampled_from((None, *_TAGS)))
        pieces.append(esc(text) if tag is None else f"<{tag}>{esc(text)}</{tag}>")
    return "".join(pieces)


def test_limits_are_the_emulators() -> None:
    assert (TEXT_LIMIT, CAPTION_LIMIT) == (MAX_MESSAGE_LENGTH, MAX_CAPTION_LENGTH)


@given(html_messages())
def test_rendered_len_counts_as_the_emulator(html: str) -> None:
    text, _entities = parse_html(html)
    assert rendered_len(html) == emulator_utf16_len(text)


@given(st.text(max_size=40))
def test_utf16_len_is_the_emulators(text: str) -> None:
    assert utf16_len(text) == emulator_utf16_len(text)


def test_entities_written_by_hand_count_as_the_emulator() -> None:
    for html in ("&amp;&lt;&gt;&quot;&#65;&#x1F600;", "&amp", "a&#1234567890;b", "<b>x</b>\n"):
        text, _entities = parse_html(html, strict=False)
        assert rendered_len(html) == emulator_utf16_len(text), html


@given(html_messages(), st.integers(min_value=len(TRUNCATED_MARK) + 2, max_value=300))
def test_truncate_html_fits_and_parses(html: str, limit: int) -> None:
    cut = truncate_html(html, limit)
    text, _entities = parse_html(cut)
    assert emulator_utf16_len(text) <= limit
    if rendered_len(html) <= limit:
        assert cut == html
    else:
        assert cut.endswith(TRUNCATED_MARK)


def test_truncate_plain_marks_the_cut() -> None:
    assert truncate_plain("短", 20) == "短"
    cut = truncate_plain("字" * 50, 20)
    assert utf16_len(cut) == 20
    assert cut == "字" * (20 - len(TRUNCATED_MARK)) + TRUNCATED_MARK


@given(
    st.lists(_TEXT.map(esc), max_size=40),
    st.integers(min_value=60, max_value=400),
    st.one_of(st.none(), st.integers(min_value=0, max_value=10)),
)
def test_fit_lines_shows_what_fits_and_says_how_many_are_left(
    lines: list[str], limit: int, max_lines: int | None
) -> None:
    text, shown = fit_lines(
        lines, head="<b>头</b>", more=lambda n: f"…还有 {n} 条", limit=limit, max_lines=max_lines
    )
    parsed, _entities = parse_html(text)
    assert emulator_utf16_len(parsed) <= limit
    assert shown <= len(lines)
    assert max_lines is None or shown <= max_lines
    if shown < len(lines):
        assert f"…还有 {len(lines) - shown} 条" in text
    assert text.startswith("\n".join(["<b>头</b>", *lines[:shown]]))
