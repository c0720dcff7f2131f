"""/evaluate through the real bot: the workbook and grades, [确认评定], the second confirmation
that freezes the year (audited), and the refusal for everyone but admins."""

import io

import openpyxl
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from emulator import BotApiEmulator
from models.tables import AuditEntry, EvaluationResult
from services.oversight.evaluation import chat
from tests.conftest import SmallCity
from tests.handlers.chat import bind, command, press

ADMIN = 7401
TOWN_HEAD = 7402

pytestmark = pytest.mark.usefixtures("bot_app")


async def test_admin_confirms_the_year_in_two_steps(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await bind(emulator, small_city, "admin", ADMIN)
    usage = await command(emulator, ADMIN, "/evaluate 去年")
    assert usage.text is not None
    assert "/evaluate 2026" in usage.text
    mark = emulator.checkpoint()
    await emulator.send_text(ADMIN, "/evaluate 2025")
    shown = await emulator.wait_for_message(ADMIN, lambda m: bool(m.buttons), after=mark)
    assert "尚未确认" in (shown.text or "")
    assert "共 2 个三级网格" in (shown.text or "")
    [workbook] = [m for m in emulator.sent_messages(ADMIN) if m.seq > mark and m.document]
    assert workbook.document is not None
    assert workbook.document.filename == "网格绩效评定_2025.xlsx"
    assert workbook.document.data is not None
    assert openpyxl.load_workbook(io.BytesIO(workbook.document.data))["评定结果"].max_row == 3

    mark = emulator.checkpoint()
    await press(emulator, ADMIN, shown, shown.callback_data(chat.CONFIRM), forge=False)
    ask = await emulator.wait_for_message(ADMIN, lambda m: "冻结" in (m.text or ""), after=mark)
    async with sessions() as session:
        # Nothing is frozen before the second press.
        assert (await session.exec(select(EvaluationResult))).all() == []
    mark = emulator.checkpoint()
    await press(emulator, ADMIN, ask, ask.callback_data(chat.FREEZE.format(year=2025)), forge=False)
    done = await emulator.wait_for_message(
        ADMIN, lambda m: "已确认并冻结" in (m.text or ""), after=mark
    )
    assert "金管理" in (done.text or "")
    async with sessions() as session:
        assert len((await session.exec(select(EvaluationResult))).all()) == 2
        [entry] = (
            await session.exec(select(AuditEntry).where(AuditEntry.action == "evaluation.confirm"))
        ).all()
    assert entry.actor_id == small_city.person_id("admin")
    assert "2025 年度" in entry.summary
    again, _ = await press(
        emulator, ADMIN, ask, ask.callback_data(chat.FREEZE.format(year=2025)), forge=True
    )
    assert again == chat.ALREADY.format(year=2025)
    mark = emulator.checkpoint()
    await emulator.send_text(ADMIN, "/evaluate 2025")
    frozen = await emulator.wait_for_message(
        ADMIN, lambda m: "结果已冻结" in (m.text or ""), after=mark
    )
    assert frozen.buttons == []  # nothing left to confirm


async def test_others_are_refused(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await bind(emulator, small_city, "town_head", TOWN_HEAD)
    refused = await command(emulator, TOWN_HEAD, "/evaluate 2025")
    assert refused.text == chat.NOT_ALLOWED
    forged = chat.EvaluationConfirm(2025, freeze=True).pack()
    answer, _ = await press(emulator, TOWN_HEAD, refused, forged, forge=True)
    assert answer == chat.NOT_ALLOWED
    async with sessions() as session:
        assert (await session.exec(select(EvaluationResult))).all() == []
        assert (await session.exec(select(AuditEntry))).all() != []  # the binding only
        actions = {e.action for e in (await session.exec(select(AuditEntry))).all()}
    assert actions == {"binding.invite"}


async def test_funding_ledger_for_admins(emulator: BotApiEmulator, small_city: SmallCity) -> None:
    await bind(emulator, small_city, "admin", ADMIN)
    await bind(emulator, small_city, "town_head", TOWN_HEAD)
    sent = await command(emulator, ADMIN, "/funding 2025")
    assert sent.document is not None
    assert sent.document.filename == "网格经费台账_2025.xlsx"
    assert sent.document.data is not None
    assert "经费汇总" in openpyxl.load_workbook(io.BytesIO(sent.document.data)).sheetnames
    assert "全市合计" in (sent.text or "")
    refused = await command(emulator, TOWN_HEAD, "/funding 2025")
    assert refused.text == chat.FUNDING_NOT_ALLOWED
