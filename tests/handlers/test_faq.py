"""Statistics-law answers through the real bot: /faq, plain text, the answer buttons and the
hand-off to the instructor."""

import re

import pytest

from emulator import BotApiEmulator
from knowledge.base import KnowledgeBase
from services.answers import texts
from services.questions import texts as questions_texts
from tests.conftest import SmallCity
from tests.handlers.chat import bind, command, press

MEMBER_TG = 8201


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
