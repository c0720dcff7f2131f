"""/export through the real bot: kind and period by buttons, the file delivered as a document,
scoped to the viewer's roles; a member is refused and forged buttons are refused."""

from datetime import UTC, datetime
from io import BytesIO

import openpyxl
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from emulator import BotApiEmulator, SentMessage
from services.oversight.exports import recent_periods
from tests.conftest import SmallCity
from tests.handlers.chat import bind, command, press
from tests.services.oversight.test_exports import FORMULA, TZ, seed

ADMIN_TG, TOWN_HEAD_TG, MEMBER_TG, GRID_HEAD_TG = 8601, 8602, 8603, 8604

pytestmark = pytest.mark.usefixtures("bot_app")


def cells(message: SentMessage) -> list[str]:
    assert message.document is not None
    assert message.document.data is not None
    book = openpyxl.load_workbook(BytesIO(message.document.data))
    return [
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    ]


async def document(emulator: BotApiEmulator, telegram_id: int, mark: int) -> SentMessage:
    return await emulator.wait_for_message(
        telegram_id, lambda m: m.document is not None, after=mark
    )


async def test_town_head_exports_own_town_by_buttons(
    emulator: BotApiEmulator,
    small_city: SmallCity,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await seed(sessions, small_city)
    await bind(emulator, small_city, "town_head", TOWN_HEAD_TG)
    menu = await command(emulator, TOWN_HEAD_TG, "/export")
    assert "导出台账" in (menu.text or "")
    assert [b["text"] for b in menu.buttons] == [
        "活动台账",
        "通知确认名单",
        "月度情况汇报",
        "问题台账",
        "年度绩效评定",
        "经费台账",
    ]
    _, periods = await press(
        emulator, TOWN_HEAD_TG, menu, menu.callback_data("活动台账"), forge=False
    )
    assert periods is not None
    offered = recent_periods(datetime.now(UTC).astimezone(TZ).date())
    assert [b["text"] for b in periods.buttons] == [*offered, "« 返回"]
    mark = emulator.checkpoint()
    answer, _ = await press(
        emulator,
        TOWN_HEAD_TG,
        periods,
        "exp:p:activities:2026-11",
        # The emulator's clock is the real one: November 2026 is offered only then.
        forge="2026-11" not in offered,
    )
    assert answer == ""
    sent = await document(emulator, TOWN_HEAD_TG, mark)
    assert sent.document is not None
    assert sent.document.filename == "活动台账_虹桥镇_2026-11.xlsx"
    assert "活动台账（2026-11）" in (sent.text or "")
    values = cells(sent)
    assert FORMULA in values
    assert "虹桥镇·工业网格1" in values
    assert not any("柳市" in v for v in values)
    done = await emulator.wait_for_message(
        TOWN_HEAD_TG, lambda m: "已生成活动台账" in (m.text or ""), after=mark
    )
    assert "1 条" in (done.text or "")


async def test_admin_exports_city_by_command_arguments(
    emulator: BotApiEmulator,
    small_city: SmallCity,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await seed(sessions, small_city)
    await bind(emulator, small_city, "admin", ADMIN_TG)
    mark = emulator.checkpoint()
    # By its Chinese name, as the menu and the help call it.
    await emulator.send_text(ADMIN_TG, "/export 问题台账 2026-11")
    sent = await document(emulator, ADMIN_TG, mark)
    assert sent.document is not None
    assert sent.document.filename == "问题台账_全市_2026-11.xlsx"
    values = cells(sent)
    assert "柳市的问题" in values
    assert FORMULA in values
    # A message showed each step while the workbook was built, and says what came of it.
    status = await emulator.wait_for_message(
        ADMIN_TG, lambda m: "已生成问题台账" in (m.text or ""), after=mark
    )
    assert "（2026-11，" in (status.text or "")
    assert status.edit_count == 3  # 读取数据, 写入 Excel（n 条）, done
    wrong = await command(emulator, ADMIN_TG, "/export questions 2026-13")
    assert "无法识别的期间" in (wrong.text or "")
    usage = await command(emulator, ADMIN_TG, "/export questions")
    assert "用法" in (usage.text or "")


async def test_member_cannot_export_even_by_forged_button(
    emulator: BotApiEmulator, small_city: SmallCity
) -> None:
    await bind(emulator, small_city, "member", MEMBER_TG)
    refused = await command(emulator, MEMBER_TG, "/export")
    assert "无权使用" in (refused.text or "")
    answer, edited = await press(
        emulator, MEMBER_TG, refused, "exp:p:activities:2026-11", forge=True
    )
    assert "无权使用" in answer
    assert edited is None
    assert not any(m.document for m in emulator.sent_messages(MEMBER_TG))


async def test_forged_buttons_are_refused(emulator: BotApiEmulator, small_city: SmallCity) -> None:
    await bind(emulator, small_city, "town_head", TOWN_HEAD_TG)
    menu = await command(emulator, TOWN_HEAD_TG, "/export")
    for data in ("exp:k:salaries", "exp:p:activities:2026-13", "exp:p:bogus:2026", "exp:x"):
        answer, edited = await press(emulator, TOWN_HEAD_TG, menu, data, forge=True)
        assert "已失效" in answer, data
        assert edited is None


async def test_yearly_workbooks_scoped_and_for_years_only(
    emulator: BotApiEmulator, small_city: SmallCity
) -> None:
    await bind(emulator, small_city, "town_head", TOWN_HEAD_TG)
    await bind(emulator, small_city, "grid_head", GRID_HEAD_TG)
    menu = await command(emulator, TOWN_HEAD_TG, "/export")
    _, periods = await press(
        emulator, TOWN_HEAD_TG, menu, menu.callback_data("年度绩效评定"), forge=False
    )
    assert periods is not None
    year = datetime.now(UTC).astimezone(TZ).year
    assert [b["text"] for b in periods.buttons] == [str(year), str(year - 1), "« 返回"]
    mark = emulator.checkpoint()
    await emulator.send_text(TOWN_HEAD_TG, "/export evaluation 2026")
    sent = await document(emulator, TOWN_HEAD_TG, mark)
    assert sent.document is not None
    assert sent.document.filename == "年度绩效评定_虹桥镇_2026.xlsx"
    values = cells(sent)
    assert "虹桥镇·工业网格1" in values
    assert not any("柳市" in v for v in values)
    await emulator.wait_for_message(
        TOWN_HEAD_TG, lambda m: "已生成年度绩效评定" in (m.text or ""), after=mark
    )
    # A refusal found while building takes the place of the progress message.
    for telegram_id, text, refusal in (
        (TOWN_HEAD_TG, "/export funding 2026-11", "按年度导出"),
        (GRID_HEAD_TG, "/export funding 2026", "仅限全市和乡镇（街道）领导"),
    ):
        mark = emulator.checkpoint()
        await emulator.send_text(telegram_id, text)
        await emulator.wait_for_message(
            telegram_id, lambda m, refusal=refusal: refusal in (m.text or ""), after=mark
        )
    assert not any(m.document for m in emulator.sent_messages(GRID_HEAD_TG))
