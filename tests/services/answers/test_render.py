"""Answers rendered with their buttons, for every verdict."""

import dataclasses

from core.formatting import TEXT_LIMIT, TRUNCATED_MARK, rendered_len
from knowledge.base import KnowledgeBase, SearchOutcome, SearchResult, Verdict
from services.answers import texts
from services.answers.buttons import ShowArticle, ShowEntry
from services.answers.render import render_article, render_outcome


def test_every_verdict_renders_with_its_buttons(knowledge: KnowledgeBase) -> None:
    entries = [e for e in knowledge.entries if e.kind == "faq"][:3]
    results = tuple(SearchResult(entry=e, score=50.0) for e in entries)
    text, rows = render_outcome(SearchOutcome("x", Verdict.SUGGEST, results))
    assert text == texts.FAQ_SUGGEST
    assert [r[0].text for r in rows[:3]] == [e.title for e in entries]
    assert [r[0].data.pack() if r[0].data else None for r in rows[:3]] == [
        f"faq:{e.id}" for e in entries
    ]
    text, _ = render_outcome(SearchOutcome("x", Verdict.ANSWER, results))
    assert entries[0].answer.split("\n")[0][:20] in text
    assert all(ref.label in text for ref in entries[0].refs)
    # Callback data stays within Telegram's 64 bytes for every entry and article (pack
    # refuses a longer payload).
    for entry in knowledge.entries:
        assert len(ShowEntry(entry.id).pack().encode()) <= 64
        assert ShowEntry(entry.id).pack() == f"faq:{entry.id}"
        for ref in entry.refs:
            assert len(ShowArticle(ref.law, ref.article).pack().encode()) <= 64
            assert ShowArticle(ref.law, ref.article).pack() == f"art:{ref.law}:{ref.article}"


def test_a_long_answer_is_cut_to_fit_with_its_citations_and_a_note(
    knowledge: KnowledgeBase,
) -> None:
    # An instructor's approved answer may be as long as a reply (thousands of characters,
    # with characters HTML escapes): /faq answered nothing when it broke 4096.
    entry = next(e for e in knowledge.entries if e.kind == "faq")
    long = dataclasses.replace(entry, answer="统计台账<须>&保存" * 700)
    result = (SearchResult(entry=long, score=90.0),)
    text, _ = render_outcome(SearchOutcome("x", Verdict.ANSWER, result, note="第二十七条" * 200))
    assert rendered_len(text) <= TEXT_LIMIT
    assert TRUNCATED_MARK in text
    # What it rests on is never the part cut away.
    assert all(ref.label in text for ref in entry.refs)
    assert render_article("统计法 第十条", "条文" * 3000).endswith(TRUNCATED_MARK)


def test_every_tip_states_its_source_once(knowledge: KnowledgeBase) -> None:
    from services.answers.render import render_tip

    tips = knowledge.tips()
    assert tips
    for tip in tips:
        text = render_tip(tip)
        # The source is said once, on the 依据 line (a tip may still name its article in a
        # sentence of its own).
        assert "（依据" not in text, text
        assert text.count(f"<b>{texts.FAQ_BASIS}</b>") == 1, text
        for ref in tip.refs:
            assert ref.label in text.rsplit(texts.FAQ_BASIS, 1)[1], text
        assert text.startswith(texts.TIP_HEADING)
