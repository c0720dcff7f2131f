"""/report parts as long as Telegram allows once the preview (and the view from the digest) is
counted: four parts of the longest accepted length preview and submit; one unit more is refused
in Chinese and the report goes on; a text after the fourth part never breaks the draft."""

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from core.formatting import TEXT_LIMIT, TRUNCATED_MARK, esc, rendered_len, utf16_len
from emulator import BotApiEmulator
from handlers.context import GridApplication
from models.db import transaction
from models.tables import Grid, MonthlyReport
from services.reports import texts
from services.reports.limits import PART_MAX, fitted_suggestion
from tests.conftest import SmallCity
from tests.handlers.chat import bind, command
from tests.handlers.reports.test_compose import press_then

Sessions = async_sessionmaker[AsyncSession]
SHANGHAI = ZoneInfo("Asia/Shanghai")
GRID_HEAD_TG = 8511
LONG_GRID = "网" * 100


def _part(units: int, mark: str) -> str:
    head = f"{mark}😀&<>"
    return head + "报" * (units - utf16_len(head))


async def _longest_grid_name(sessions: Sessions, city: SmallCity) -> None:
    async with transaction(sessions) as session:
        grid = (
            await session.exec(select(Grid).where(Grid.id == city.grids["虹桥镇网格"].id))
        ).one()
        grid.name = LONG_GRID
        session.add(grid)


async def _reports(sessions: Sessions) -> list[MonthlyReport]:
    async with sessions() as session:
        return list((await session.exec(select(MonthlyReport))).all())


async def test_four_parts_of_the_longest_length_preview_and_submit(
    bot_app: GridApplication, emulator: BotApiEmulator, sessions: Sessions, small_city: SmallCity
) -> None:
    del bot_app
    assert 800 < PART_MAX < TEXT_LIMIT // 4
    await bind(emulator, small_city, "grid_head", GRID_HEAD_TG)
    await _longest_grid_name(sessions, small_city)
    parts = [_part(PART_MAX, str(i)) for i in range(4)]
    with time_machine.travel(datetime(2026, 12, 20, 10, tzinfo=SHANGHAI), tick=True):
        step = await command(emulator, GRID_HEAD_TG, "/report")
        assert "第1步" in (step.text or "")
        for part in parts:
            step = await command(emulator, GRID_HEAD_TG, part)
        assert "预览" in (step.text or "")
        assert rendered_len(step.text or "") <= TEXT_LIMIT
        for part in parts:
            assert part in (step.text or "")
        # A text after the preview is answered, and the preview still submits.
        nudged = await command(emulator, GRID_HEAD_TG, "第五段")
        assert nudged.text == texts.REPORT_PRESS_A_BUTTON
        done = await press_then(emulator, GRID_HEAD_TG, step, "提交", "已提交")
        assert LONG_GRID in (done.text or "")
    [report] = await _reports(sessions)
    assert (report.activities, report.plan) == (parts[0], parts[3])
    # The view from the digest, with the longest author name, fits too.
    view = texts.report_view(
        grid=LONG_GRID,
        period=report.period,
        author="名" * 50,
        submitted="12-20 10:00",
        late=True,
        parts=(report.activities, report.problems, report.help_needed, report.plan),
    )
    assert rendered_len(view) <= TEXT_LIMIT


async def test_a_too_long_part_is_refused_and_the_report_goes_on(
    bot_app: GridApplication, emulator: BotApiEmulator, sessions: Sessions, small_city: SmallCity
) -> None:
    del bot_app
    await bind(emulator, small_city, "grid_head", GRID_HEAD_TG)
    with time_machine.travel(datetime(2026, 12, 20, 10, tzinfo=SHANGHAI), tick=True):
        await command(emulator, GRID_HEAD_TG, "/report")
        # The case (1,000 characters) and the first one over the limit.
        for units in (1000, PART_MAX + 1):
            refused = await command(emulator, GRID_HEAD_TG, _part(units, "x"))
            assert f"最多 {PART_MAX} 字" in (refused.text or "")
            assert f"超出 {units - PART_MAX} 字" in (refused.text or "")
        step = await command(emulator, GRID_HEAD_TG, "本月开展了学习会")
        assert "第2步" in (step.text or "")
        for text in ("无", "无"):
            step = await command(emulator, GRID_HEAD_TG, text)
        # The preview of the fourth part fails to go out: the report is ended with a Chinese
        # message, a further text is no fifth part (no IndexError), and /report starts afresh.
        emulator.fail_next("sendMessage", 502)
        mark = emulator.checkpoint()
        await emulator.send_text(GRID_HEAD_TG, "下月计划")
        ended = await emulator.wait_for_message(
            GRID_HEAD_TG, lambda m: "/report" in (m.text or ""), after=mark
        )
        assert "发送 /report 重新开始" in (ended.text or "")
        mark = emulator.checkpoint()
        await emulator.send_text(GRID_HEAD_TG, "第五段")
        await emulator.send_text(GRID_HEAD_TG, "/report")
        again = await emulator.wait_for_message(
            GRID_HEAD_TG, lambda m: "第1步" in (m.text or ""), after=mark
        )
        assert not [
            m
            for m in emulator.sent_messages(GRID_HEAD_TG)
            if mark < m.seq < again.seq and "抱歉" in (m.text or "")
        ]
        for text in ("学习会", "无", "无", "下月计划"):
            preview = await command(emulator, GRID_HEAD_TG, text)
        assert "预览" in (preview.text or "")
        assert "第五段" not in (preview.text or "")
        await press_then(emulator, GRID_HEAD_TG, preview, "提交", "已提交")
    [report] = await _reports(sessions)
    assert report.plan == "下月计划"


def test_a_long_suggestion_is_cut_to_a_part_and_its_step_fits() -> None:
    busy_month = "\n".join(
        f"12月{d}日 学习活动“{'主题' * 50}”：签到 9 人，请假 0 人" for d in range(1, 31)
    )
    cut = fitted_suggestion(busy_month)
    assert cut is not None
    assert utf16_len(cut) == PART_MAX
    assert cut.endswith(TRUNCATED_MARK)
    assert fitted_suggestion("短") == "短"
    assert fitted_suggestion(None) is None
    step = texts.report_step(index=0, suggestion=esc(cut), existing=True)
    assert rendered_len(step) <= TEXT_LIMIT
