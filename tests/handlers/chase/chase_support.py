"""Driving 催报 through the emulator: export files, sending them, confirming the preview."""

import csv
import io
from collections.abc import Sequence
from pathlib import Path

import openpyxl
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from emulator import BotApiEmulator, SentMessage
from models.tables import ChaseItem, SurveyObject
from services.chase import texts
from tests.factories import valid_uscc
from tests.handlers.chat import press

EXAMPLE = Path(__file__).parents[2] / "data" / "chase_example.xlsx"
HEADER = [
    "统一社会信用代码",
    "单位详细名称",
    "表号",
    "报表名称",
    "报告期",
    "状态",
    "问题说明",
    "截止时间",
]
INSTRUCTOR_TG, MEMBER_TG, OTHER_MEMBER_TG, TOWN_HEAD_TG = 9101, 9102, 9103, 9104
GRID_HEAD_TG, ADMIN_TG = 9105, 9106
Sessions = async_sessionmaker[AsyncSession]


def row(
    n: int, form: str, status: str, problem: str = "", deadline: str = "2026-12-10"
) -> list[str]:
    return [valid_uscc(n), f"企业{n}", form, "", "2026-11", status, problem, deadline]


def xlsx(rows: Sequence[Sequence[object]], header: Sequence[str] = HEADER) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["平台导出"])
    sheet.append(list(header))
    for r in rows:
        sheet.append(list(r))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_bytes(rows: Sequence[Sequence[object]], header: Sequence[str] = HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("gb18030")


async def send_list(
    emulator: BotApiEmulator, tg: int, name: str, data: bytes, caption: str | None = None
) -> SentMessage:
    mark = emulator.checkpoint()
    await emulator.send_document(tg, name, data, caption=caption)
    return await emulator.wait_for_message(tg, after=mark)


async def confirm(emulator: BotApiEmulator, tg: int, preview: SentMessage) -> SentMessage:
    mark = emulator.checkpoint()
    answer, _edited = await press(
        emulator, tg, preview, preview.callback_data(texts.CONFIRM), forge=False
    )
    assert answer == ""
    return await emulator.wait_for_message(
        tg, lambda m: texts.RESULT_HEADING[:8] in (m.source_text or ""), after=mark
    )


async def chase_message(emulator: BotApiEmulator, tg: int, after: int = 0) -> SentMessage:
    return await emulator.wait_for_message(
        tg, lambda m: "催报提醒" in (m.text or ""), after=after, timeout=10
    )


async def items(sessions: Sessions) -> dict[tuple[str, str], ChaseItem]:
    async with sessions() as session:
        found = await session.exec(
            select(ChaseItem, SurveyObject.name).join(
                SurveyObject, col(SurveyObject.id) == col(ChaseItem.survey_object_id)
            )
        )
        return {(name, item.form): item for item, name in found.all()}
