"""The roster sent as a document through the real bot: bad rows (summary and error report,
nothing written), a good file previewed then confirmed, a stale preview, a non-admin refused,
then the partition previewed and confirmed, each change in the audit trail."""

import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from emulator import BotApiEmulator, SentMessage
from models.tables import AdminUpload, AuditEntry, Grid, SurveyObject
from services.roster_import import texts
from services.roster_import.buttons import RosterConfirm
from tests.conftest import SmallCity
from tests.factories import enterprise, write_roster_xlsx
from tests.handlers.chat import bind, press

ADMIN = 7101
TOWN_HEAD = 7102

pytestmark = pytest.mark.usefixtures("bot_app")


def roster_bytes(tmp_path: Path, numbers: range, **overrides: object) -> bytes:
    path = write_roster_xlsx(
        tmp_path / "roster.xlsx",
        enterprises=[enterprise(n, **overrides) for n in numbers],
        people=[],
    )
    return path.read_bytes()


async def count(sessions: async_sessionmaker[AsyncSession], table: type) -> int:
    async with sessions() as session:
        return (await session.exec(select(func.count()).select_from(table))).one()


async def audit(sessions: async_sessionmaker[AsyncSession]) -> list[AuditEntry]:
    async with sessions() as session:
        rows = await session.exec(
            select(AuditEntry)
            .where(col(AuditEntry.action).not_like("binding.%"))
            .order_by(col(AuditEntry.id))
        )
        return list(rows.all())


async def unplaced(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        found = await session.exec(
            select(func.count())
            .select_from(SurveyObject)
            .where(col(SurveyObject.grid_id).is_(None), col(SurveyObject.left_on).is_(None))
        )
        return found.one()


async def upload(
    emulator: BotApiEmulator, telegram_id: int, data: bytes, name: str = "花名册.xlsx"
) -> SentMessage:
    mark = emulator.checkpoint()
    await emulator.send_document(telegram_id, name, data)
    return await emulator.wait_for_message(telegram_id, after=mark)


async def press_label(
    emulator: BotApiEmulator, telegram_id: int, message: SentMessage, label: str
) -> SentMessage:
    mark = emulator.checkpoint()
    await press(emulator, telegram_id, message, message.callback_data(label), forge=False)
    return await emulator.wait_for_message(
        telegram_id,
        lambda m: m.method == "sendMessage" and m.message_id > message.message_id,
        after=mark,
    )


async def test_bad_rows_get_a_summary_and_the_error_report_and_write_nothing(
    emulator: BotApiEmulator,
    small_city: SmallCity,
    sessions: async_sessionmaker[AsyncSession],
    tmp_path: Path,
) -> None:
    await bind(emulator, small_city, "admin", ADMIN)
    data = roster_bytes(tmp_path, range(100, 103), 统一社会信用代码="91330382000000001X")
    reply = await upload(emulator, ADMIN, data)
    assert "没有导入任何数据" in (reply.text or "")
    assert "统一社会信用代码" in (reply.text or "")
    assert reply.buttons == []
    report = await emulator.wait_for_message(ADMIN, lambda m: m.document is not None, after=reply)
    assert report.document is not None
    assert report.document.filename == "花名册.错误报告.xlsx"
    assert report.document.data is not None
    sheet = openpyxl.load_workbook(io.BytesIO(report.document.data)).active
    assert sheet is not None
    assert [c.value for c in sheet[2]][:2] == ["企业", 2]
    assert await count(sessions, SurveyObject) == 3
    assert await count(sessions, AdminUpload) == 0
    assert await audit(sessions) == []


async def test_good_file_previews_then_imports_on_confirm_then_partitions(
    emulator: BotApiEmulator,
    small_city: SmallCity,
    sessions: async_sessionmaker[AsyncSession],
    tmp_path: Path,
) -> None:
    await bind(emulator, small_city, "admin", ADMIN)
    preview = await upload(emulator, ADMIN, roster_bytes(tmp_path, range(100, 125)))
    text = preview.text or ""
    assert "预览" in text
    assert "企业：新增 25 家" in text
    # The roster lists 柳市镇's enterprises without the one already there: it would leave.
    assert "表中不再列出 1 家" in text
    # Its statistician has no other enterprise: the preview names who would lose the seat.
    assert "不再是网格员（所负责的企业均已退出或改由他人负责）：周统计，共 1 人" in text
    assert [b["text"] for b in preview.buttons] == [texts.CONFIRM, texts.CANCEL]
    # Nothing is written before confirmation.
    assert await count(sessions, SurveyObject) == 3
    assert await audit(sessions) == []

    imported = await press_label(emulator, ADMIN, preview, texts.CONFIRM)
    assert "花名册已导入" in (imported.text or "")
    assert await count(sessions, SurveyObject) == 28
    [entry] = await audit(sessions)
    assert entry.action == "roster.import"
    assert entry.actor_id == small_city.person_id("admin")
    assert entry.channel == "chat"
    assert "企业新增 25" in entry.summary
    # Pressing the same confirmation again does nothing.
    answer, _ = await press(emulator, ADMIN, preview, RosterConfirm(1, go=True).pack(), forge=True)
    assert answer == texts.ALREADY
    assert await count(sessions, SurveyObject) == 28

    assert await unplaced(sessions) == 25
    grids_before = await count(sessions, Grid)
    plan = await press_label(emulator, ADMIN, imported, texts.PREVIEW_PARTITION)
    assert "网格划分方案" in (plan.text or "")
    assert await count(sessions, Grid) == grids_before
    assert await unplaced(sessions) == 25
    done = await press_label(emulator, ADMIN, plan, texts.CONFIRM_PARTITION)
    assert "网格划分完成" in (done.text or ""), done.text
    assert await unplaced(sessions) == 0
    assert [e.action for e in await audit(sessions)] == ["roster.import", "grids.partition"]


async def test_cancel_writes_nothing(
    emulator: BotApiEmulator,
    small_city: SmallCity,
    sessions: async_sessionmaker[AsyncSession],
    tmp_path: Path,
) -> None:
    await bind(emulator, small_city, "admin", ADMIN)
    preview = await upload(emulator, ADMIN, roster_bytes(tmp_path, range(100, 105)))
    cancelled = await press_label(emulator, ADMIN, preview, texts.CANCEL)
    assert cancelled.text == texts.CANCELLED
    assert await count(sessions, SurveyObject) == 3
    async with sessions() as session:
        [row] = (await session.exec(select(AdminUpload))).all()
    assert (row.state, row.data) == ("cancelled", b"")


async def test_stale_preview_is_refused(
    emulator: BotApiEmulator,
    small_city: SmallCity,
    sessions: async_sessionmaker[AsyncSession],
    tmp_path: Path,
) -> None:
    await bind(emulator, small_city, "admin", ADMIN)
    first = await upload(emulator, ADMIN, roster_bytes(tmp_path, range(100, 105)))
    assert "不再是网格员" in (first.text or "")
    second = await upload(emulator, ADMIN, roster_bytes(tmp_path, range(200, 203)), "花名册2.xlsx")
    await press_label(emulator, ADMIN, second, texts.CONFIRM)
    assert await count(sessions, SurveyObject) == 6
    stale = await press_label(emulator, ADMIN, first, texts.CONFIRM)
    assert "已过期" in (stale.text or "")
    assert await count(sessions, SurveyObject) == 6
    assert [e.action for e in await audit(sessions)] == ["roster.import"]


async def test_non_admin_is_refused_and_nothing_is_written(
    emulator: BotApiEmulator,
    small_city: SmallCity,
    sessions: async_sessionmaker[AsyncSession],
    tmp_path: Path,
) -> None:
    await bind(emulator, small_city, "admin", ADMIN)
    await bind(emulator, small_city, "town_head", TOWN_HEAD)
    refused = await upload(emulator, TOWN_HEAD, roster_bytes(tmp_path, range(100, 105)))
    assert refused.text == texts.NOT_ALLOWED
    assert await count(sessions, AdminUpload) == 0
    # The admin's preview cannot be confirmed by anyone else, even with a forged press.
    preview = await upload(emulator, ADMIN, roster_bytes(tmp_path, range(100, 105)))
    answer, _ = await press(
        emulator, TOWN_HEAD, preview, preview.callback_data(texts.CONFIRM), forge=True
    )
    assert answer == texts.NOT_ALLOWED
    assert await count(sessions, SurveyObject) == 3
    assert await audit(sessions) == []


async def test_wrong_type_and_size_are_refused_before_download(
    emulator: BotApiEmulator, small_city: SmallCity, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await bind(emulator, small_city, "admin", ADMIN)
    wrong = await upload(emulator, ADMIN, b"x", "花名册.xls")
    assert wrong.text == texts.WRONG_TYPE
    big = await upload(emulator, ADMIN, b"x" * (10 * 1024 * 1024 + 1))
    assert "超过 10 MB" in (big.text or "")
    broken = await upload(emulator, ADMIN, b"not a workbook")
    assert broken.text == texts.NOT_XLSX
    assert await count(sessions, AdminUpload) == 0


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in members.items():
            archive.writestr(name, body)
    return buffer.getvalue()


async def test_formula_macro_zip_bomb_and_wrong_sheet_are_refused(
    emulator: BotApiEmulator,
    small_city: SmallCity,
    sessions: async_sessionmaker[AsyncSession],
    tmp_path: Path,
) -> None:
    await bind(emulator, small_city, "admin", ADMIN)
    good = roster_bytes(tmp_path, range(100, 103))
    with_formula = openpyxl.load_workbook(io.BytesIO(good))
    with_formula["企业"]["A2"] = '=HYPERLINK("http://example.com","乐清市测试电气有限公司")'
    formula_file = io.BytesIO()
    with_formula.save(formula_file)
    with zipfile.ZipFile(io.BytesIO(good)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    macro = zipped({**parts, "xl/vbaProject.bin": b"\x00" * 100})
    bomb = zipped({**parts, "xl/media/padding.bin": b"\x00" * (60 * 1024 * 1024)})
    other = openpyxl.Workbook()
    sheet = other.active
    assert sheet is not None
    sheet.append(["序号", "备注"])
    sheet.append([1, "无关的表"])
    other_file = io.BytesIO()
    other.save(other_file)
    cases = [
        (formula_file.getvalue(), texts.FORMULAS),
        (macro, texts.MACROS),
        (bomb, texts.TOO_BIG_UNPACKED),
        (other_file.getvalue(), "没有找到「企业」或「人员」工作表"),
    ]
    for data, expected in cases:
        reply = await upload(emulator, ADMIN, data)
        assert expected in (reply.text or "")
        assert reply.buttons == []
    assert await count(sessions, AdminUpload) == 0
    assert await count(sessions, SurveyObject) == 3
    assert await audit(sessions) == []
