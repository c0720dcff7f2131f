"""Statistics-law answers through the real bot: /faq, plain text, /law, /tip, inline mode,
the answer buttons and the hand-off to the instructor."""

import re

import pytest

from emulator import BotApiEmulator
from handlers.faq import render_outcome
from knowledge.base import KnowledgeBase, SearchOutcome, SearchResult, Verdict
from services.answers import texts
from services.questions import texts as questions_texts
from tests.conftest import SmallCity
from tests.handlers.chat import bind, command, press

MEMBER_TG, STRANGER_TG = 8201, 8202
CITATION = re.compile(r"依据：.*《[^》]+》")

pytestmark = pytest.mark.usefixtures("bot_app")


async def test_confident_answer_cites_articles_and_offers_the_text(
    emulator: BotApiEmulator, small_city: SmallCity
) -> None:
    await bind(emulator, small_city, "member", MEMBER_TG)
    answer = await command(emulator, MEMBER_TG, "/faq 我们厂没弄统计台帐被查到了会罚款吗")
    text = answer.text or ""
    assert CITATION.search(text), text
    assert "《中华人民共和国统计法》第四十五条" in text or "统计法》第四十五条" in text
    labels = [b["text"] for b in answer.buttons]
    assert any(label.startswith("查看原文") and "第四十五条" in label for label in labels)
    assert labels[-1] == texts.FAQ_ASK_INSTRUCTOR

    button = next(b for b in answer.buttons if "第四十五条" in b["text"])
    reply_text, article = await press(
        emulator, MEMBER_TG, answer, button["callback_data"], forge=False
    )
    assert reply_text == ""
    assert article is not None
    assert "五万元以下的罚款" in (article.text or "")


async def test_plain_text_is_a_question_and_nonsense_is_not_answered(
    emulator: BotApiEmulator, small_city: SmallCity
) -> None:
    await bind(emulator, small_city, "member", MEMBER_TG)
    answered = await command(emulator, MEMBER_TG, "统计局让我们改数据，不改就给穿小鞋，咋办")
    assert CITATION.search(answered.text or ""), answered.text
    abstained = await command(emulator, MEMBER_TG, "今天中午食堂吃什么")
    assert abstained.text == texts.FAQ_ABSTAIN
    assert [b["text"] for b in abstained.buttons] == [texts.FAQ_ASK_INSTRUCTOR]

    # The hand-off opens /ask with the question filled in (tests/handlers/test_questions.py).
    mark = emulator.checkpoint()
    await press(emulator, MEMBER_TG, abstained, abstained.buttons[0]["callback_data"], forge=False)
    prefilled = await emulator.wait_for_message(MEMBER_TG, after=mark)
    assert "今天中午食堂吃什么" in (prefilled.text or "")
    assert [b["text"] for b in prefilled.buttons] == [questions_texts.ASK_SUBMIT]


def test_every_verdict_renders_with_its_buttons(knowledge: KnowledgeBase) -> None:
    entries = [e for e in knowledge.entries if e.kind == "faq"][:3]
    results = tuple(SearchResult(entry=e, score=50.0) for e in entries)
    text, markup = render_outcome(SearchOutcome("x", Verdict.SUGGEST, results))
    assert text == texts.FAQ_SUGGEST
    rows = markup.inline_keyboard
    assert [r[0].text for r in rows[:3]] == [e.title for e in entries]
    assert [r[0].callback_data for r in rows[:3]] == [f"faq:{e.id}" for e in entries]
    text, _ = render_outcome(SearchOutcome("x", Verdict.ANSWER, results))
    assert entries[0].answer.split("\n")[0][:20] in text
    assert all(ref.label in text for ref in entries[0].refs)
    # Callback data stays within Telegram's 64 bytes for every entry and article.
    for entry in knowledge.entries:
        assert len(f"faq:{entry.id}".encode()) <= 64
        for ref in entry.refs:
            assert len(f"art:{ref.law}:{ref.article}".encode()) <= 64


async def test_suggestion_button_shows_that_entry(
    emulator: BotApiEmulator, small_city: SmallCity, knowledge: KnowledgeBase
) -> None:
    await bind(emulator, small_city, "member", MEMBER_TG)
    shown = await command(emulator, MEMBER_TG, "/me")
    entry = next(e for e in knowledge.entries if e.kind == "faq")
    _, reply = await press(emulator, MEMBER_TG, shown, f"faq:{entry.id}", forge=True)
    assert reply is not None
    assert entry.title in (reply.text or "")
    assert CITATION.search(reply.text or "")
    for forged in ("faq:no-such-entry", "art:统计法:99", "art:宪法:1"):
        answer, edited = await press(emulator, MEMBER_TG, shown, forged, forge=True)
        assert "已失效" in answer
        assert edited is None


async def test_law_lookup_with_numerals_and_old_numbers(
    emulator: BotApiEmulator, small_city: SmallCity
) -> None:
    await bind(emulator, small_city, "member", MEMBER_TG)
    current = await command(emulator, MEMBER_TG, "/law 统计法 第四十四条")
    assert "第四十四条" in (current.text or "")
    assert "十万元以下" in (current.text or "")
    arabic = await command(emulator, MEMBER_TG, "/law 44")
    assert arabic.text == current.text
    old = await command(emulator, MEMBER_TG, "/law 统计法第四十一条")
    assert "2024" in (old.text or "")
    assert "第四十四条" in (old.text or "")
    regulation = await command(emulator, MEMBER_TG, "/law 条例 17")
    assert "实施条例" in (regulation.text or "")
    missing = await command(emulator, MEMBER_TG, "/law 统计法 第九十条")
    assert "/law 统计法 第四十四条" in (missing.text or "")
    usage = await command(emulator, MEMBER_TG, "/law")
    assert (usage.text or "").startswith("查条文示例")


async def test_tip_has_a_citation_and_a_next_button(
    emulator: BotApiEmulator, small_city: SmallCity
) -> None:
    await bind(emulator, small_city, "member", MEMBER_TG)
    tip = await command(emulator, MEMBER_TG, "/tip")
    assert "法治小贴士" in (tip.text or "")
    assert CITATION.search(tip.text or "")
    _, another = await press(emulator, MEMBER_TG, tip, "tip:next", forge=False)
    assert another is not None
    assert "法治小贴士" in (another.text or "")


async def test_inline_mode_for_bound_users_only(
    emulator: BotApiEmulator, small_city: SmallCity
) -> None:
    await bind(emulator, small_city, "member", MEMBER_TG)
    query_id = await emulator.send_inline_query(MEMBER_TG, "台帐")
    answer = await emulator.wait_for_inline_answer(query_id)
    assert answer.is_personal
    assert answer.results
    for result in answer.results:
        content = result["input_message_content"]["message_text"]
        assert "依据" in content
    emulator.user(STRANGER_TG, first_name="路人")
    stranger_query = await emulator.send_inline_query(STRANGER_TG, "台账")
    stranger = await emulator.wait_for_inline_answer(stranger_query)
    assert stranger.results == []
    assert stranger.button is not None
    assert stranger.button["start_parameter"] == "inline"
    # Following that button opens the bot with /start inline: the usual welcome, no error.
    reply = await command(emulator, STRANGER_TG, "/start inline")
    assert "还没有绑定身份" in (reply.text or "")
