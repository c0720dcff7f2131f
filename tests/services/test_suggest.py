"""Typo'd commands get the nearest command the viewer may use."""

from hypothesis import given
from hypothesis import strategies as st

from services.access import Capability, CommandSpec
from services.suggest import nearest_command, typed_command

SPECS = tuple(
    CommandSpec(name, name, name, Capability.USE_BOT)
    for name in ("report", "checkin", "study", "stats", "mystats", "ask", "me", "help")
)


def names(word: str) -> str | None:
    spec = nearest_command(word, SPECS)
    return spec.command if spec else None


def test_typos_reach_the_command_and_nothing_else_does() -> None:
    assert names("reprot") == "report"  # a swap is one edit
    assert names("reoprt") == "report"
    assert names("chekin") == "checkin"
    assert names("checkinn") == "checkin"
    assert names("stats") is None  # the command itself: nothing to suggest
    assert names("stat") == "stats"
    assert names("mee") == "me"
    assert names("weather") is None
    assert names("xyz") is None


def test_the_command_word_is_read_as_telegram_writes_it() -> None:
    assert typed_command("/Reprot") == "reprot"
    assert typed_command("/reprot@gridbot_test_bot") == "reprot"
    assert typed_command("/reprot 2026-11") == "reprot"
    assert typed_command("  /stats") == "stats"
    assert typed_command("reprot") is None
    assert typed_command("/统计") is None
    assert typed_command("/") is None


@given(st.text(max_size=80))
def test_any_text_is_a_command_word_or_none(text: str) -> None:
    word = typed_command(text)
    if word is not None:
        assert text.strip().startswith("/")
        assert word.isascii()
        assert 1 <= len(word) <= 64
        suggestion = nearest_command(word, SPECS)
        assert suggestion is None or suggestion.command != word


@given(st.sampled_from(SPECS), st.integers(min_value=0, max_value=10))
def test_one_swapped_pair_always_finds_its_command(spec: CommandSpec, at: int) -> None:
    word = spec.command
    if len(word) < 3:
        return
    i = at % (len(word) - 1)
    typo = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if typo == word or any(s.command == typo for s in SPECS):
        return
    found = nearest_command(typo, SPECS)
    assert found is not None
