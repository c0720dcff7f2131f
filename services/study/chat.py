"""Study hours sent to the bot as a workbook by an admin: the same all-or-nothing validation as
`gridbot study import`, a preview (nothing written), then [确认导入学时] (audited)."""

import asyncio
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path, PurePath

from sqlmodel.ext.asyncio.session import AsyncSession

from core.buttons import Button, Keyboard
from core.callback import CallbackData
from core.formatting import TEXT_LIMIT, esc, truncate_html
from models import uploads as queries
from models.tables import AdminUpload
from services.access import Viewer
from services.audit import Actor
from services.roster_import.chat import (
    Decided,
    Decision,
    Reply,
    may_import_roster,
    refusal_before_download,
    workbook_refusal,
)
from services.study import HourLimits, ImportResult, import_study_file

STUDY_MARK = "学时"
ERRORS_SHOWN = 10
KIND = "study"

NOT_ALLOWED = "导入学时仅限市统计局管理员。网格员请用 /study 登记自己的学时。"
ONLY_XLSX = "学时表应为 .xlsx 文件（列：手机号、日期、内容、学时）。"
ERRORS = "学时表「{name}」发现 <b>{count}</b> 处问题，<b>没有导入任何数据</b>：\n{lines}"
MORE = "\n……另有 {more} 处"
PREVIEW = (
    "<b>学时表「{name}」预览</b>（尚未导入）\n\n可导入 {imported} 条学时记录，"
    "跳过已有记录 {skipped} 条（同一人、同一天、同一内容）。"
)
CONFIRM = "确认导入学时"
CANCEL = "取消"
CANCELLED = "已取消，学时表没有导入任何数据。"
UNKNOWN = "该预览已失效，请重新发送学时表。"
NOT_IMPORTER = "只有发送该学时表的管理员可以确认导入。"
ALREADY = "该学时表已处理过（已导入或已取消）。"
IMPORTED = "<b>学时已导入：</b>{imported} 条，跳过已有记录 {skipped} 条。"


@dataclass(frozen=True)
class StudyConfirm(CallbackData, prefix="sc"):
    """[确认导入学时] (go) or [取消] under the preview of one uploaded study workbook."""

    upload_id: int
    go: bool


def is_study_file(file_name: str | None, caption: str | None) -> bool:
    return STUDY_MARK in (file_name or "") or STUDY_MARK in (caption or "")


def refusal(file_name: str, size: int) -> str | None:
    if not file_name.lower().endswith(".xlsx"):
        return ONLY_XLSX
    return refusal_before_download(file_name, size)


def _errors_text(name: str, result: ImportResult) -> str:
    lines = "\n".join(esc(e) for e in result.errors[:ERRORS_SHOWN])
    more = len(result.errors) - ERRORS_SHOWN
    text = ERRORS.format(name=esc(name), count=len(result.errors), lines=lines)
    return truncate_html(text + (MORE.format(more=more) if more > 0 else ""), TEXT_LIMIT)


async def _run(
    *,
    session: AsyncSession,
    data: bytes,
    name: str,
    today: date,
    limits: HourLimits,
    dry_run: bool,
    actor: Actor | None,
) -> ImportResult | str:
    with tempfile.TemporaryDirectory() as folder:
        # A fixed name in our own folder; the file's name is only shown.
        # Our own folder; of the sender's name only a safe tail is kept (the audit shows it).
        safe = "".join(ch for ch in PurePath(name).name if ch.isprintable() and ch not in "/\\")
        path = Path(folder) / STUDY_MARK / (safe[-100:] or "学时.xlsx")
        try:
            await asyncio.to_thread(_write, path, data)
            return await import_study_file(
                session=session,
                path=path,
                today=today,
                limits=limits,
                dry_run=dry_run,
                actor=actor,
            )
        except (zipfile.BadZipFile, OSError, KeyError, ValueError):
            return ONLY_XLSX


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir()
    path.write_bytes(data)


async def prepare_study_upload(
    *,
    session: AsyncSession,
    viewer: Viewer,
    file_name: str,
    data: bytes,
    today: date,
    limits: HourLimits,
    now: datetime,
) -> Reply:
    """Validate and preview; store the file (the caller commits) only when it is clean."""
    name = file_name[:200]
    refused = refusal(name, len(data)) or await asyncio.to_thread(workbook_refusal, name, data)
    if refused is not None:
        return Reply(refused)
    result = await _run(
        session=session, data=data, name=name, today=today, limits=limits, dry_run=True, actor=None
    )
    if isinstance(result, str):
        return Reply(result)
    if result.errors:
        return Reply(_errors_text(name, result))
    upload = await queries.add_upload(
        session=session,
        upload=AdminUpload(
            importer_id=viewer.person_id,
            kind=KIND,
            file_name=name,
            data=data,
            fingerprint="",
            created_at=now,
        ),
    )
    assert upload.id is not None
    keyboard: Keyboard = [
        [
            Button(CONFIRM, data=StudyConfirm(upload.id, go=True)),
            Button(CANCEL, data=StudyConfirm(upload.id, go=False)),
        ]
    ]
    text = PREVIEW.format(name=esc(name), imported=result.imported, skipped=result.skipped)
    return Reply(text, keyboard)


async def decide_study_upload(
    *,
    session: AsyncSession,
    viewer: Viewer,
    upload_id: int,
    go: bool,
    today: date,
    limits: HourLimits,
    now: datetime,
) -> Decided:
    """[确认导入学时] or [取消]; the caller commits a DONE and rolls back a REFUSED."""
    if not may_import_roster(viewer):
        return Decided(Decision.REFUSED, Reply(NOT_ALLOWED))
    upload = await queries.upload_by_id(session=session, upload_id=upload_id, for_update=True)
    if upload is None or upload.kind != KIND:
        return Decided(Decision.REFUSED, Reply(UNKNOWN))
    if upload.importer_id != viewer.person_id:
        return Decided(Decision.REFUSED, Reply(NOT_IMPORTER))
    if upload.state != "pending":
        return Decided(Decision.REFUSED, Reply(ALREADY))
    data, name = upload.data, upload.file_name
    upload.state, upload.decided_at, upload.data = ("confirmed" if go else "cancelled"), now, b""
    session.add(upload)
    if not go:
        return Decided(Decision.DONE, Reply(CANCELLED))
    result = await _run(
        session=session,
        data=data,
        name=name,
        today=today,
        limits=limits,
        dry_run=False,
        actor=Actor.chat(viewer.person_id, viewer.name),
    )
    if isinstance(result, str):
        return Decided(Decision.REFUSED, Reply(result))
    if result.errors:
        return Decided(Decision.REFUSED, Reply(_errors_text(name, result)))
    return Decided(
        Decision.DONE, Reply(IMPORTED.format(imported=result.imported, skipped=result.skipped))
    )
