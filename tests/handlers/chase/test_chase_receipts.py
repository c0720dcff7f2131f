"""The statistician's side of 催报: [已报送] per item (only their own), [需要帮助] opening /ask with
the item filled in, and a re-import that resolves, keeps and flags."""

import pytest
from sqlmodel import select

from emulator import BotApiEmulator
from models.tables import Question
from models.tables.chase import ChaseState
from services.chase import texts
from tests.conftest import SmallCity
from tests.handlers.chase.chase_support import (
    EXAMPLE,
    INSTRUCTOR_TG,
    MEMBER_TG,
    OTHER_MEMBER_TG,
    TOWN_HEAD_TG,
    Sessions,
    chase_message,
    confirm,
    items,
    row,
    send_list,
    xlsx,
)
from tests.handlers.chat import bind, press

pytestmark = pytest.mark.usefixtures("bot_app", "every_day_works")

ELECTRIC, SWITCH = "乐清市虹桥电气有限公司", "乐清市虹桥开关厂"
OUTPUT, ENERGY = "B204-1 工业产销总值及主要产品产量", "E204-1 能源购进、消费与库存"


async def chased(emulator: BotApiEmulator, small_city: SmallCity) -> None:
    for key, tg in (("instructor", INSTRUCTOR_TG), ("member", MEMBER_TG)):
        await bind(emulator, small_city, key, tg)
    await bind(emulator, small_city, "other_member", OTHER_MEMBER_TG)
    preview = await send_list(emulator, INSTRUCTOR_TG, EXAMPLE.name, EXAMPLE.read_bytes())
    await confirm(emulator, INSTRUCTOR_TG, preview)


async def test_reported_is_recorded_for_the_statisticians_own_item_only(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: Sessions
) -> None:
    await chased(emulator, small_city)
    message = await chase_message(emulator, MEMBER_TG)
    other = await emulator.wait_for_message(OTHER_MEMBER_TG, lambda m: "绑定成功" in (m.text or ""))
    data = message.callback_data("①已报送")
    answer, edited = await press(emulator, OTHER_MEMBER_TG, other, data, forge=True)
    assert answer == texts.NOT_YOURS
    assert edited is None
    callback = await emulator.press_button(MEMBER_TG, message.message_id, data)
    answer_text = (await emulator.wait_for_callback_answer(callback)).text or ""
    assert "已记录" in answer_text
    assert "已报送" in answer_text
    redrawn = await emulator.wait_for_message(
        MEMBER_TG, lambda m: m.message_id == message.message_id and m.edited
    )
    assert [b["text"] for b in redrawn.buttons][:3] == ["①已报送 ✓", "①已修改", "①需要帮助"]
    found = await items(sessions)
    assert found[(ELECTRIC, OUTPUT)].state is ChaseState.DECLARED
    assert found[(ELECTRIC, OUTPUT)].declared == "已报送"
    assert found[(ELECTRIC, ENERGY)].state is ChaseState.OPEN
    again = await emulator.press_button(
        MEMBER_TG, message.message_id, redrawn.callback_data("①已修改")
    )
    assert "已经记录过" in ((await emulator.wait_for_callback_answer(again)).text or "")
    forged = await emulator.press_button(MEMBER_TG, message.message_id, "cd:999999:r", forge=True)
    assert (await emulator.wait_for_callback_answer(forged)).text == texts.ITEM_UNKNOWN


async def test_need_help_opens_ask_with_the_item_filled_in(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: Sessions
) -> None:
    """[需要帮助] opens /ask with the item written out; [提交问题] files it with the grid's
    instructor, or the member rewrites it in their own words first."""
    from services.questions import texts as question_texts

    await chased(emulator, small_city)
    message = await chase_message(emulator, MEMBER_TG)
    forged, _ = await press(
        emulator, OTHER_MEMBER_TG, message, message.callback_data("①需要帮助"), forge=True
    )
    assert forged == texts.NOT_YOURS
    mark = emulator.checkpoint()
    answer, _ = await press(
        emulator, MEMBER_TG, message, message.callback_data("①需要帮助"), forge=False
    )
    assert answer == ""
    asked = await emulator.wait_for_message(
        MEMBER_TG, lambda m: question_texts.ASK_SUBMIT in str(m.buttons), after=mark
    )
    assert ELECTRIC in (asked.text or "")
    assert "产值较上月下降超过30%" in (asked.text or "")
    mark = emulator.checkpoint()
    answer, _ = await press(
        emulator, MEMBER_TG, asked, asked.callback_data(question_texts.ASK_SUBMIT), forge=False
    )
    assert answer == ""
    filed = await emulator.wait_for_message(
        MEMBER_TG, lambda m: "李指导员" in (m.text or ""), after=mark
    )
    assert "#" in (filed.text or "")
    notified = await emulator.wait_for_message(
        INSTRUCTOR_TG, lambda m: "催报求助" in (m.text or "")
    )
    assert ELECTRIC in (notified.text or "")
    async with sessions() as session:
        (question,) = (await session.exec(select(Question))).all()
    assert question.text.startswith(f"催报求助：{ELECTRIC}")
    assert f"「{OUTPUT}」，平台状态为审核未通过" in question.text


async def test_a_reimport_resolves_keeps_and_flags_and_reminds_once_a_day(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: Sessions
) -> None:
    await chased(emulator, small_city)
    message = await chase_message(emulator, MEMBER_TG)
    await press(emulator, MEMBER_TG, message, message.callback_data("①已报送"), forge=False)
    # The next export: the energy form is gone (resolved), the output form is listed again
    # although declared (a discrepancy), the switch factory still open.
    second = xlsx(
        [
            [
                *row(1, "B204-1", "审核未通过", "产值较上月下降超过30%，请说明原因")[:2],
                "B204-1",
                "工业产销总值及主要产品产量",
                "2026-11",
                "审核未通过",
                "仍未说明",
                "2026-12-10",
            ],
            [
                row(2, "", "")[0],
                SWITCH,
                "B204-1",
                "工业产销总值及主要产品产量",
                "2026-11",
                "查询未解释",
                "用电量与产值不匹配",
                "2026-12-10 17:00",
            ],
        ]
    )
    # This time the town sends it: the grid's instructor hears of the discrepancy.
    await bind(emulator, small_city, "town_head", TOWN_HEAD_TG)
    told = emulator.checkpoint()
    preview = await send_list(emulator, TOWN_HEAD_TG, "第二次.xlsx", second)
    assert "新增 0 项，仍未完成 1 项，将销号 1 项" in (preview.text or "")
    assert "统计员已点完成、但平台仍列出的：1 项" in (preview.text or "")
    mark = emulator.checkpoint()
    result = await confirm(emulator, TOWN_HEAD_TG, preview)
    text = result.text or ""
    flagged = await emulator.wait_for_message(
        INSTRUCTOR_TG, lambda m: "催报异常" in (m.text or ""), after=told
    )
    assert f"{ELECTRIC} · {OUTPUT}（已报送于" in (flagged.text or "")
    assert "销号 1 项，仍未完成 2 项，新增 0 项" in text
    assert "今天已提醒过的 1 人不再重复" in text
    assert f"{ELECTRIC} · {OUTPUT}（已报送于" in text
    found = await items(sessions)
    assert found[(ELECTRIC, ENERGY)].state is ChaseState.RESOLVED
    assert found[(ELECTRIC, OUTPUT)].state is ChaseState.DECLARED
    assert found[(ELECTRIC, OUTPUT)].discrepancy_at is not None
    assert found[(ELECTRIC, OUTPUT)].problem == "仍未说明"
    assert found[(SWITCH, OUTPUT)].state is ChaseState.OPEN
    # Reminded once today already: nothing new reaches the statistician.
    assert not [
        m
        for m in emulator.sent_messages(MEMBER_TG)
        if m.seq > mark and "催报提醒" in (m.text or "")
    ]
