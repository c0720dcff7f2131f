"""Study hours sent as a document through the real bot: bad rows refused whole, a good file
previewed then imported on confirmation (audited), non-admins refused."""

import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from emulator import BotApiEmulator, SentMessage
from models.tables import AdminUpload, AuditEntry, StudyRecord
from services.study import chat
from tests.conftest import SmallCity
from tests.handlers.chat import bind, press

ADMIN = 7501
TOWN_HEAD = 7502

pytestmark = pytest.mark.usefixtures("bot_app")


def workbook(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["手机号", "日期", "内容", "学时"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def days_ago(n: int) -> str:
    return (
        datetime.now(UTC).astimezone(ZoneInfo("Asia/Shanghai")).date() - timedelta(n)
    ).isoformat()


async def upload(emulator: BotApiEmulator, telegram_id: int, data: bytes) -> SentMessage:
    mark = emulator.checkpoint()
    await emulator.send_document(telegram_id, "学时11月.xlsx", data)
    return await emulator.wait_for_message(telegram_id, after=mark)


async def stored(sessions: async_sessionmaker[AsyncSession]) -> tuple[int, list[str]]:
    async with sessions() as session:
        records = len((await session.exec(select(StudyRecord))).all())
        actions = [e.action for e in (await session.exec(select(AuditEntry))).all()]
    return records, [a for a in actions if not a.startswith("binding.")]


async def test_bad_rows_then_a_good_file_previewed_and_confirmed(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await bind(emulator, small_city, "admin", ADMIN)
    bad = await upload(
        emulator,
        ADMIN,
        workbook(
            [["13812345678", days_ago(2), "统计法培训", 2], ["13700000000", days_ago(2), "x", 2]]
        ),
    )
    assert "没有导入任何数据" in (bad.text or "")
    assert "第3行" in (bad.text or "")
    assert bad.buttons == []
    assert await stored(sessions) == (0, [])

    rows = [["13812345678", days_ago(2), "统计法培训", 2], ["13812345678", days_ago(3), "台账", 3]]
    preview = await upload(emulator, ADMIN, workbook(rows))
    assert "可导入 2 条" in (preview.text or "")
    assert await stored(sessions) == (0, [])
    mark = emulator.checkpoint()
    await press(emulator, ADMIN, preview, preview.callback_data(chat.CONFIRM), forge=False)
    done = await emulator.wait_for_message(
        ADMIN, lambda m: "学时已导入" in (m.text or ""), after=mark
    )
    assert "2 条" in (done.text or "")
    assert await stored(sessions) == (2, ["study.import"])
    async with sessions() as session:
        [entry] = (
            await session.exec(select(AuditEntry).where(AuditEntry.action == "study.import"))
        ).all()
        [row] = (await session.exec(select(AdminUpload))).all()
    assert entry.actor_id == small_city.person_id("admin")
    assert "学时11月.xlsx" in entry.summary
    assert (row.kind, row.state, row.data) == ("study", "confirmed", b"")
    again, _ = await press(
        emulator, ADMIN, preview, chat.StudyConfirm(row.id or 0, go=True).pack(), forge=True
    )
    assert again == chat.ALREADY


async def test_non_admin_is_refused(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await bind(emulator, small_city, "town_head", TOWN_HEAD)
    reply = await upload(
        emulator, TOWN_HEAD, workbook([["13812345678", days_ago(2), "统计法培训", 2]])
    )
    assert reply.text == chat.NOT_ALLOWED
    assert await stored(sessions) == (0, [])
