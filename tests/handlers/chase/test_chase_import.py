"""催报 through the real bot: a list sent as a document, its preview (good, unmatched,
out-of-scope and malformed rows), [确认催报], one combined chase per statistician."""

import pytest
from sqlmodel import func, select

from emulator import BotApiEmulator
from models.tables import ChaseImport, OutboxMessage
from services.chase import texts
from tests.conftest import SmallCity
from tests.factories import valid_uscc
from tests.handlers.chase.chase_support import (
    EXAMPLE,
    INSTRUCTOR_TG,
    MEMBER_TG,
    OTHER_MEMBER_TG,
    TOWN_HEAD_TG,
    Sessions,
    chase_message,
    confirm,
    csv_bytes,
    items,
    row,
    send_list,
    xlsx,
)
from tests.handlers.chat import bind, press

pytestmark = pytest.mark.usefixtures("bot_app", "every_day_works")


async def test_the_example_list_is_previewed_confirmed_and_chased_once_per_statistician(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: Sessions
) -> None:
    for key, tg in (("instructor", INSTRUCTOR_TG), ("member", MEMBER_TG)):
        await bind(emulator, small_city, key, tg)
    await bind(emulator, small_city, "other_member", OTHER_MEMBER_TG)
    preview = await send_list(emulator, INSTRUCTOR_TG, EXAMPLE.name, EXAMPLE.read_bytes())
    text = preview.text or ""
    assert "催报名单预览" in text
    assert "2026年11月" in text
    assert "文件共 5 行：本次将催报 3 项（2 家企业，1 名统计员）" in text
    assert "审核未通过：1 项" in text
    assert "不再" not in text
    # The 柳市镇 enterprise is not the 虹桥镇 instructor's; the last row is not on the roster.
    assert "不在您管辖范围内的单位（1 行，已跳过）" in text
    assert "第 6 行 乐清市柳市仪表有限公司" in text
    assert "花名册中没有的单位（1 行，已跳过）" in text
    assert "第 7 行 乐清市不在册机械有限公司（花名册中没有）" in text
    assert "不代为报送" in text
    mark = emulator.checkpoint()
    result = await confirm(emulator, INSTRUCTOR_TG, preview)
    assert "已向 1 名统计员排队发出 1 条催报" in (result.text or "")
    chased = await chase_message(emulator, MEMBER_TG, after=mark)
    body = chased.text or ""
    assert body.count("乐清市虹桥电气有限公司") == 2
    assert "乐清市虹桥开关厂" in body
    assert "问题：产值较上月下降超过30%，请说明原因" in body
    assert "截止：12月10日 17:00" in body
    assert "截止：12月10日" in body
    assert "一套表联网直报" in body
    assert "不代为报送" in body
    labels = [b["text"] for b in chased.buttons]
    assert labels == [
        "①已报送", "①已修改", "①需要帮助",
        "②已报送", "②已修改", "②需要帮助",
        "③已报送", "③已修改", "③需要帮助",
    ]  # fmt: skip
    assert not [m for m in emulator.sent_messages(OTHER_MEMBER_TG) if "催报" in (m.text or "")]
    # A second press of the same preview sends nothing again.
    answer, _ = await press(
        emulator, INSTRUCTOR_TG, preview, preview.callback_data(texts.CONFIRM), forge=True
    )
    assert answer == texts.ALREADY_CONFIRMED
    async with sessions() as session:
        queued = (
            await session.exec(
                select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "chase")
            )
        ).one()
    assert queued == 1
    assert len(await items(sessions)) == 3


async def test_a_member_sending_a_list_is_refused(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: Sessions
) -> None:
    await bind(emulator, small_city, "member", MEMBER_TG)
    reply = await send_list(emulator, MEMBER_TG, EXAMPLE.name, EXAMPLE.read_bytes())
    assert reply.text == texts.NOT_ALLOWED.replace("<b>", "").replace("</b>", "")
    async with sessions() as session:
        assert (await session.exec(select(func.count()).select_from(ChaseImport))).one() == 0


async def test_a_malformed_list_is_refused_with_every_problem_and_nothing_kept(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: Sessions
) -> None:
    await bind(emulator, small_city, "town_head", TOWN_HEAD_TG)
    rows = [
        row(1, "B204-1", "审核未通过", "产值异常"),
        ["91330382ABC", "坏代码", "B204-1", "", "2026-11", "未上报", "", "2026-12-10"],
        row(2, "B204-1", "不知道"),
        row(2, "E204-1", "未上报", deadline="2026-13-40"),
        row(1, "B204-1", "未上报"),
        [valid_uscc(3), "企业3", "", "", "2026-10", "未上报", "", ""],
    ]
    reply = await send_list(emulator, TOWN_HEAD_TG, "名单.csv", csv_bytes(rows))
    text = reply.text or ""
    assert "催报名单未导入" in text
    assert "共 6 处问题" in text
    assert "第 3 行「统一社会信用代码」：长度错误" in text
    assert "第 4 行「状态」：无法识别的状态" in text
    assert "第 5 行「截止时间」" in text
    assert "第 6 行「统一社会信用代码」：与第 2 行重复" in text
    assert "第 7 行「表号」：表号和报表名称不能都为空" in text
    assert "文件中有多个报告期（2026-10、2026-11）" in text
    async with sessions() as session:
        assert (await session.exec(select(func.count()).select_from(ChaseImport))).one() == 0
    assert await items(sessions) == {}


async def test_a_list_without_a_period_takes_it_from_the_caption_and_refuses_other_files(
    emulator: BotApiEmulator, small_city: SmallCity
) -> None:
    await bind(emulator, small_city, "town_head", TOWN_HEAD_TG)
    header = ["组织机构代码", "单位名称", "报表名称", "上报状态", "备注"]
    rows = [[f"{valid_uscc(1)[8:16]}-{valid_uscc(1)[16]}", "虹桥电气", "工业产销总值", "未报", ""]]
    no_period = await send_list(emulator, TOWN_HEAD_TG, "list.xlsx", xlsx(rows, header))
    assert "没有「报告期」列" in (no_period.text or "")
    preview = await send_list(
        emulator, TOWN_HEAD_TG, "list.xlsx", xlsx(rows, header), caption="2026年11月"
    )
    assert "本次将催报 1 项（1 家企业，1 名统计员）" in (preview.text or "")
    old = await send_list(emulator, TOWN_HEAD_TG, "old.xls", b"\xd0\xcf\x11\xe0")
    assert "只能导入 .xlsx 或 .csv" in (old.text or "")
    broken = await send_list(emulator, TOWN_HEAD_TG, "broken.xlsx", b"not a zip")
    assert "不是有效的 .xlsx" in (broken.text or "")


async def test_cancel_drops_the_preview_and_only_its_sender_may_confirm(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: Sessions
) -> None:
    await bind(emulator, small_city, "instructor", INSTRUCTOR_TG)
    await bind(emulator, small_city, "town_head", TOWN_HEAD_TG)
    preview = await send_list(emulator, INSTRUCTOR_TG, EXAMPLE.name, EXAMPLE.read_bytes())
    data = preview.callback_data(texts.CONFIRM)
    other = await send_list(emulator, TOWN_HEAD_TG, EXAMPLE.name, EXAMPLE.read_bytes())
    answer, edited = await press(emulator, TOWN_HEAD_TG, other, data, forge=True)
    assert answer == texts.NOT_IMPORTER
    assert edited is None
    mark = emulator.checkpoint()
    answer, _ = await press(
        emulator, INSTRUCTOR_TG, preview, preview.callback_data(texts.CANCEL), forge=False
    )
    assert answer == ""
    await emulator.wait_for_message(INSTRUCTOR_TG, lambda m: m.text == texts.CANCELLED, after=mark)
    answer, _ = await press(emulator, INSTRUCTOR_TG, preview, data, forge=True)
    assert answer == texts.IMPORT_UNKNOWN
    assert await items(sessions) == {}
