"""/chase through the real bot: counts per grid, oldest first, [再提醒] once an hour within
scope, and the statisticians who cannot be reached with their masked phone."""

from io import BytesIO

import openpyxl
import pytest
from sqlmodel import select

from emulator import BotApiEmulator
from models.db import transaction
from models.enums import Industry, Scale
from models.tables import SurveyObject
from services import texts as shared_texts
from services.chase import texts
from services.chase.buttons import ChaseRemind
from tests.conftest import SmallCity
from tests.factories import valid_uscc
from tests.handlers.chase.chase_support import (
    EXAMPLE,
    INSTRUCTOR_TG,
    MEMBER_TG,
    Sessions,
    chase_message,
    confirm,
    row,
    send_list,
    xlsx,
)
from tests.handlers.chat import bind, command, press

pytestmark = pytest.mark.usefixtures("bot_app", "every_day_works")
OTHER_TOWN_TG = 9107


async def test_the_board_counts_reminds_once_an_hour_and_lists_the_unreachable(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: Sessions
) -> None:
    async with transaction(sessions) as session:
        grid = small_city.grids["虹桥镇网格"]
        assert grid.id is not None
        assert grid.parent_id is not None
        session.add(
            SurveyObject(
                name="乐清市虹桥阀门厂",
                uscc=valid_uscc(4),
                industry=Industry.INDUSTRY,
                scale=Scale.ABOVE_SCALE,
                town_id=grid.parent_id,
                grid_id=grid.id,
                statistician_id=small_city.person_id("other_member"),
            )
        )
    for key, tg in (("instructor", INSTRUCTOR_TG), ("member", MEMBER_TG)):
        await bind(emulator, small_city, key, tg)
    await bind(emulator, small_city, "other_town_head", OTHER_TOWN_TG)
    listed = xlsx(
        [
            row(1, "B204-1", "审核未通过", "产值异常"),
            row(4, "B204-1", "未上报"),
            row(2, "B204-1", "已上报"),
        ]
    )
    preview = await send_list(emulator, INSTRUCTOR_TG, "名单.xlsx", listed)
    assert "其中 1 名统计员未绑定机器人或已屏蔽" in (preview.text or "")
    assert "已上报：1 项" in (preview.text or "")
    mark = emulator.checkpoint()
    await confirm(emulator, INSTRUCTOR_TG, preview)
    await chase_message(emulator, MEMBER_TG, after=mark)
    board = await command(emulator, INSTRUCTOR_TG, "/chase")
    text = board.text or ""
    assert "催报进度（2026年11月报告期）" in text
    assert "虹桥镇·工业网格1：待处理 2 · 已申报完成 0 · 已销号 0 · 异常 0" in text
    assert text.index("乐清市虹桥电气有限公司") < text.index("乐清市虹桥阀门厂")
    assert "乐清市虹桥阀门厂：周统计 139****0007（未绑定）" in text
    assert [b["text"] for b in board.buttons] == ["再提醒 乐清市虹桥电气有限公司", texts.LEDGER]
    mark = emulator.checkpoint()
    callback = await emulator.press_button(
        INSTRUCTOR_TG, board.message_id, board.callback_data("再提醒 乐清市虹桥电气有限公司")
    )
    assert "已再次提醒" in ((await emulator.wait_for_callback_answer(callback)).text or "")
    again = await chase_message(emulator, MEMBER_TG, after=mark)
    assert "产值异常" in (again.text or "")
    answer, _ = await press(
        emulator,
        INSTRUCTOR_TG,
        board,
        board.callback_data("再提醒 乐清市虹桥电气有限公司"),
        forge=False,
    )
    assert answer == texts.REMIND_TOO_SOON
    async with sessions() as session:
        liushi = (
            await session.exec(select(SurveyObject).where(SurveyObject.uscc == valid_uscc(3)))
        ).one()
    assert liushi.id is not None
    forged = ChaseRemind(liushi.id, "2026-11").pack()
    answer, _ = await press(emulator, INSTRUCTOR_TG, board, forged, forge=True)
    assert answer == texts.NOT_IN_SCOPE
    unreachable = await command(emulator, INSTRUCTOR_TG, "/chase 2026-11")
    assert "乐清市虹桥阀门厂" in (unreachable.text or "")
    other_town = await command(emulator, OTHER_TOWN_TG, "/chase")
    assert other_town.text == texts.BOARD_NONE
    member = await command(emulator, MEMBER_TG, "/chase")
    assert member.text == shared_texts.FORBIDDEN


async def test_the_ledger_button_sends_the_scope_s_ledger(
    emulator: BotApiEmulator, small_city: SmallCity
) -> None:
    await bind(emulator, small_city, "instructor", INSTRUCTOR_TG)
    preview = await send_list(emulator, INSTRUCTOR_TG, EXAMPLE.name, EXAMPLE.read_bytes())
    await confirm(emulator, INSTRUCTOR_TG, preview)
    board = await command(emulator, INSTRUCTOR_TG, "/chase")
    mark = emulator.checkpoint()
    answer, sent = await press(
        emulator, INSTRUCTOR_TG, board, board.callback_data(texts.LEDGER), forge=False
    )
    assert answer == ""
    assert sent is not None
    assert sent.document is not None
    assert sent.seq > mark
    assert "催报台账（3 项）" in (sent.text or "")
    data = emulator.file(sent.document.file_id).data
    assert data is not None
    book = openpyxl.load_workbook(BytesIO(data))
    rows = list(book["催报台账"].iter_rows(values_only=True))
    # The instructor's grid only: the 柳市镇 enterprise is not in it.
    assert len(rows) == 4
    assert all("柳市" not in str(r[2]) for r in rows[1:])
