"""/study through the real bot: the guided entry of continuing-education hours."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from emulator import BotApiEmulator
from models.study import SOURCE_SELF
from models.tables import StudyRecord
from tests.conftest import SmallCity
from tests.handlers.chat import bind, command, press

MEMBER_TG, OTHER_TG = 8501, 8502


def today() -> date:
    return datetime.now(UTC).astimezone(ZoneInfo("Asia/Shanghai")).date()


async def records(sessions: async_sessionmaker[AsyncSession]) -> list[StudyRecord]:
    async with sessions() as session:
        return list((await session.exec(select(StudyRecord))).all())


@pytest.mark.usefixtures("bot_app")
async def test_study_guided_entry_with_bad_input_asked_again(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await bind(emulator, small_city, "member", MEMBER_TG)
    start = await command(emulator, MEMBER_TG, "/study")
    assert f"{today().year}年已登记 0/24 学时" in (start.text or "")
    assert "学习日期" in (start.text or "")

    reply = await command(emulator, MEMBER_TG, "后天")
    assert "没看懂这个日期" in (reply.text or "")
    future = (today() + timedelta(days=1)).isoformat()
    reply = await command(emulator, MEMBER_TG, future)
    assert "不能晚于今天" in (reply.text or "")
    reply = await command(emulator, MEMBER_TG, "昨天")
    assert "学习内容" in (reply.text or "")
    reply = await command(emulator, MEMBER_TG, "统计法律法规培训")
    assert "学时" in (reply.text or "")
    reply = await command(emulator, MEMBER_TG, "13")
    assert "0.5–8" in (reply.text or "")
    reply = await command(emulator, MEMBER_TG, "0.7")
    assert "0.5–8" in (reply.text or "")
    confirm = await command(emulator, MEMBER_TG, "2.5")
    yesterday = (today() - timedelta(days=1)).isoformat()
    assert f"日期：{yesterday}" in (confirm.text or "")
    assert "学时：2.5" in (confirm.text or "")
    # Nothing is written before the confirmation; text at this step asks for a button.
    assert await records(sessions) == []
    nudge = await command(emulator, MEMBER_TG, "好的")
    assert "确认登记" in (nudge.text or "")

    # A forged answer is refused, and the entry still waits for a real one.
    answer, _ = await press(emulator, MEMBER_TG, confirm, "study:maybe", forge=True)
    assert "已失效" in answer
    assert await records(sessions) == []

    answer, _ = await press(emulator, MEMBER_TG, confirm, "study:ok", forge=False)
    assert answer == ""
    saved = await emulator.wait_for_message(MEMBER_TG, lambda m: "已登记 ✅" in (m.text or ""))
    stored = await records(sessions)
    assert [(r.person_id, r.topic, r.hours, r.source) for r in stored] == [
        (small_city.person_id("member"), "统计法律法规培训", 2.5, SOURCE_SELF)
    ]
    assert stored[0].studied_on == today() - timedelta(days=1)
    if stored[0].studied_on.year == today().year:
        assert "已登记 2.5/24 学时" in (saved.text or "")

    # A second entry, cancelled: nothing more is stored; /study shows the total and the record.
    await command(emulator, MEMBER_TG, "/study")
    await command(emulator, MEMBER_TG, "今天")
    await command(emulator, MEMBER_TG, "联网直报业务培训")
    await command(emulator, MEMBER_TG, "2")
    cancelled = await command(emulator, MEMBER_TG, "/cancel")
    assert "没有登记" in (cancelled.text or "")
    assert len(await records(sessions)) == 1
    summary = await command(emulator, MEMBER_TG, "/study")
    assert "统计法律法规培训 2.5 学时" in (summary.text or "")
    await command(emulator, MEMBER_TG, "/cancel")


@pytest.mark.usefixtures("bot_app")
async def test_study_totals_add_up_over_entries(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await bind(emulator, small_city, "other_member", OTHER_TG)
    for day, topic, hours in (("今天", "统计法培训", "8"), ("昨天", "直报培训", "4.5")):
        await command(emulator, OTHER_TG, "/study")
        await command(emulator, OTHER_TG, day)
        await command(emulator, OTHER_TG, topic)
        confirm = await command(emulator, OTHER_TG, hours)
        mark = emulator.checkpoint()
        await press(emulator, OTHER_TG, confirm, "study:ok", forge=False)
        saved = await emulator.wait_for_message(
            OTHER_TG, lambda m: "已登记 ✅" in (m.text or ""), after=mark
        )
    assert "12.5" in (saved.text or "")
    assert "还差 11.5 学时" in (saved.text or "")
    assert sum(r.hours for r in await records(sessions)) == 12.5


@pytest.mark.usefixtures("bot_app")
async def test_unbound_user_cannot_use_study(emulator: BotApiEmulator) -> None:
    emulator.user(8599, first_name="stranger")
    reply = await command(emulator, 8599, "/study")
    assert "绑定" in (reply.text or "")


async def enter(
    emulator: BotApiEmulator, telegram_id: int, day: str, topic: str, hours: str
) -> None:
    await command(emulator, telegram_id, "/study")
    await command(emulator, telegram_id, day)
    await command(emulator, telegram_id, topic)
    confirm = await command(emulator, telegram_id, hours)
    mark = emulator.checkpoint()
    await press(emulator, telegram_id, confirm, "study:ok", forge=False)
    await emulator.wait_for_message(
        telegram_id, lambda m: "已登记 ✅" in (m.text or ""), after=mark
    )


@pytest.mark.usefixtures("bot_app")
async def test_a_day_holds_at_most_eight_hours_and_other_scripts_digits_are_refused(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await bind(emulator, small_city, "other_member", OTHER_TG)
    await enter(emulator, OTHER_TG, "昨天", "统计法培训", "6")
    await command(emulator, OTHER_TG, "/study")
    await command(emulator, OTHER_TG, "昨天")
    await command(emulator, OTHER_TG, "直报培训")
    yesterday = (today() - timedelta(days=1)).isoformat()
    reply = await command(emulator, OTHER_TG, "3")
    assert f"{yesterday} 已登记 6 学时，每天最多 8 学时，这一天最多还能登记 2 学时" in (
        reply.text or ""
    )
    reply = await command(emulator, OTHER_TG, "٣")  # an Arabic-Indic 3
    assert "学时须是 0.5–8 之间" in (reply.text or "")
    confirm = await command(emulator, OTHER_TG, "两")
    assert "学时：2" in (confirm.text or "")
    mark = emulator.checkpoint()
    await press(emulator, OTHER_TG, confirm, "study:ok", forge=False)
    await emulator.wait_for_message(OTHER_TG, lambda m: "已登记 ✅" in (m.text or ""), after=mark)
    await command(emulator, OTHER_TG, "/study")
    reply = await command(emulator, OTHER_TG, "昨天")
    assert "每天最多 8 学时，这一天不能再登记了" in (reply.text or "")
    assert "另一个日期" in (reply.text or "")
    await command(emulator, OTHER_TG, "/cancel")
    assert sorted(r.hours for r in await records(sessions)) == [2, 6]
