"""Telegram-flavoured HTML: the parser alone and through sendMessage."""

from __future__ import annotations

import html
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from telegram.constants import ParseMode
from telegram.error import BadRequest

from emulator import parse_html, utf16_len
from tests.emulator.echo_bot import ALICE, AnyApp


@pytest.mark.parametrize(
    "text",
    ["<b>oops</i>", "<b>unclosed", "a < b", "Tom & Jerry", "<br>", "<span>x</span>", "&nbsp;"],
)
async def test_html_parse_error(app: AnyApp, text: str) -> None:
    with pytest.raises(BadRequest, match="parse entities"):
        await app.bot.send_message(ALICE, text, parse_mode=ParseMode.HTML)


@pytest.mark.parametrize(
    ("source", "text", "entities"),
    [
        ("<b>粗</b>体 &lt;ok&gt;", "粗体 <ok>", [{"type": "bold", "offset": 0, "length": 1}]),
        (
            "😀 <i>x<u>y</u></i>",
            "😀 xy",
            [
                {"type": "italic", "offset": 3, "length": 2},
                {"type": "underline", "offset": 4, "length": 1},
            ],
        ),
        (
            '<a href="https://e.x/?a=1&amp;b=2">link</a>',
            "link",
            [{"type": "text_link", "offset": 0, "length": 4, "url": "https://e.x/?a=1&b=2"}],
        ),
        (
            '<pre><code class="language-python">pass</code></pre>',
            "pass",
            [{"type": "pre", "offset": 0, "length": 4, "language": "python"}],
        ),
        (
            '<tg-spoiler>s</tg-spoiler><span class="tg-spoiler">t</span>',
            "st",
            [
                {"type": "spoiler", "offset": 0, "length": 1},
                {"type": "spoiler", "offset": 1, "length": 1},
            ],
        ),
        (
            "<blockquote expandable>q</blockquote>&#x41;&#66;",
            "qAB",
            [{"type": "expandable_blockquote", "offset": 0, "length": 1}],
        ),
    ],
)
def test_parse_html(source: str, text: str, entities: list[dict[str, Any]]) -> None:
    assert parse_html(source) == (text, entities)


def test_parse_html_errors_and_lenient_mode() -> None:
    with pytest.raises(ValueError, match=r'expected "</b>", found "</i>"'):
        parse_html("<b>x</i>")
    with pytest.raises(ValueError, match='Unsupported start tag "" at byte offset 4'):
        parse_html("中 < b")
    # Real Telegram keeps a bare "&" literally; strict mode is the emulator's extra check.
    assert parse_html("Tom & Jerry", strict=False) == ("Tom & Jerry", [])
    assert utf16_len("a😀") == 3


@given(st.text())
def test_any_text_parses_or_is_refused_cleanly(source: str) -> None:
    try:
        text, entities = parse_html(source)
    except ValueError:
        return
    for entity in entities:
        assert 0 <= entity["offset"] < entity["offset"] + entity["length"] <= utf16_len(text)


@given(st.text())
def test_escaped_text_comes_back_unchanged(text: str) -> None:
    assert parse_html(html.escape(text)) == (text, [])


@given(st.text(), st.sampled_from(["b", "i", "u", "s", "code", "tg-spoiler"]))
def test_one_tag_marks_exactly_its_text(inner: str, tag: str) -> None:
    text, entities = parse_html(f"前<{tag}>{html.escape(inner)}</{tag}>后")
    assert text == f"前{inner}后"
    spans = [(entity["offset"], entity["length"]) for entity in entities]
    # An empty tag marks nothing, so it yields no entity.
    assert spans == ([(1, utf16_len(inner))] if inner else [])
