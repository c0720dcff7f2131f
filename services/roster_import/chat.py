"""The roster sent to the bot as a document by an admin: the same all-or-nothing validation as
`gridbot import`, a preview of what would change (nothing is written before [确认导入]), a
stale preview refused, then the partition previewed and applied from the chat."""

import asyncio
import io
import re
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path, PurePath

from sqlmodel.ext.asyncio.session import AsyncSession

from core.buttons import Keyboard
from core.formatting import TEXT_LIMIT, esc, truncate_html
from models import uploads as queries
from models.enums import Role
from models.tables import AdminUpload
from services.access import Viewer
from services.audit import Actor
from services.grids.partition.run import partition
from services.roster_import import import_roster, texts
from services.roster_import.buttons import confirm_keyboard, partition_keyboard
from services.roster_import.report import (
    ImportReport,
    RosterFileError,
    format_errors,
    seats_lost_line,
    write_error_report,
)

MAX_FILE_MB = 10
SUFFIXES = (".xlsx", ".csv")
ERRORS_SHOWN = 10
# An .xlsx is a zip: what it may unpack to, in all and relative to its size (a 10,000-
# enterprise roster is 0.6 MB packed, about 8 MB unpacked).
MAX_UNPACKED_MB = 100
MAX_UNPACK_RATIO = 100
# A formula cell in SpreadsheetML: <f>…</f>, <f t="shared" …/>, with or without a prefix.
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")


def may_import_roster(viewer: Viewer) -> bool:
    return Role.ADMIN in viewer.roles


def is_roster_file(file_name: str | None, caption: str | None) -> bool:
    """A document is taken as the roster when its name or caption says 花名册 (any other list
    is a 催报 list, see services.chase)."""
    return texts.ROSTER_MARK in (file_name or "") or texts.ROSTER_MARK in (caption or "")


@dataclass(frozen=True)
class Reply:
    text: str
    keyboard: Keyboard | None = None
    # An .xlsx to send along (the error report).
    attachment: tuple[str, bytes] | None = None


def _suffix(file_name: str) -> str:
    return PurePath(file_name).suffix.lower()


def _check_file(file_name: str, size: int) -> str | None:
    if _suffix(file_name) not in SUFFIXES:
        return texts.WRONG_TYPE
    if size > MAX_FILE_MB * 1024 * 1024:
        return texts.FILE_TOO_BIG.format(mb=MAX_FILE_MB)
    return None


def refusal_before_download(file_name: str, size: int) -> str | None:
    """Why the document is refused without downloading it (type, size), or None."""
    return _check_file(file_name, size)


def workbook_refusal(file_name: str, data: bytes) -> str | None:
    """Why an .xlsx must not be read at all: not a zip, a zip bomb, macros, or formula cells
    (their cached values are not what the sheet shows once recalculated); else None."""
    if _suffix(file_name) != ".xlsx":
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            unpacked = sum(m.file_size for m in members)
            if unpacked > MAX_UNPACKED_MB * 1024 * 1024 or unpacked > MAX_UNPACK_RATIO * max(
                len(data), 1
            ):
                return texts.TOO_BIG_UNPACKED
            names = [m.filename.lower() for m in members]
            if any(name.endswith("vbaproject.bin") for name in names):
                return texts.MACROS
            sheets = [
                m
                for m in members
                if m.filename.lower().startswith("xl/worksheets/")
                and m.filename.lower().endswith(".xml")
            ]
            if any(_FORMULA.search(archive.read(member)) for member in sheets):
                return texts.FORMULAS
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return texts.NOT_XLSX
    return None


def _write_temp(folder: str, file_name: str, data: bytes) -> Path:
    # A fixed stem: the user's file name never becomes a path.
    path = Path(folder) / f"roster{_suffix(file_name)}"
    path.write_bytes(data)
    return path


def _error_workbook(report: ImportReport) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = write_error_report(report.errors, Path(folder) / "errors.xlsx")
        return path.read_bytes()


async def _run_import(
    *,
    session: AsyncSession,
    file_name: str,
    data: bytes,
    city_name: str,
    today: date,
    actor: Actor | None,
    preview: bool,
) -> ImportReport:
    with tempfile.TemporaryDirectory() as folder:
        path = await asyncio.to_thread(_write_temp, folder, file_name, data)
        return await import_roster(
            session=session,
            paths=[path],
            city_name=city_name,
            today=today,
            actor=actor,
            file_label=file_name,
            preview=preview,
        )


def _preview_text(name: str, report: ImportReport) -> str:
    return texts.PREVIEW.format(
        name=esc(name),
        towns=report.towns_created,
        e_new=report.enterprises_created,
        e_updated=report.enterprises_updated,
        e_same=report.enterprises_unchanged,
        e_leaving=report.enterprises_leaving,
        e_removed=report.enterprises_removed,
        people=report.people_created,
        posts_new=report.assignments_created,
        posts_moved=report.assignments_updated,
        seats=esc(seats_lost_line(report.seats_lost)) if report.seats_lost else texts.NO_SEATS_LOST,
    )


async def _errors_reply(name: str, report: ImportReport) -> Reply:
    shown = report.errors[:ERRORS_SHOWN]
    text = texts.ERRORS.format(
        name=esc(name),
        count=len(report.errors),
        shown=len(shown),
        lines=esc(format_errors(shown)),
    )
    workbook = await asyncio.to_thread(_error_workbook, report)
    stem = PurePath(name).stem[:60] or "花名册"
    return Reply(truncate_html(text, TEXT_LIMIT), attachment=(f"{stem}.错误报告.xlsx", workbook))


async def prepare_upload(
    *,
    session: AsyncSession,
    viewer: Viewer,
    file_name: str,
    data: bytes,
    city_name: str,
    today: date,
    now: datetime,
) -> Reply:
    """Validate and preview the roster; store it (the caller commits) only when it is clean."""
    name = file_name[:200]
    refused = _check_file(name, len(data))
    if refused is not None:
        return Reply(refused)
    refused = await asyncio.to_thread(workbook_refusal, name, data)
    if refused is not None:
        return Reply(refused)
    fingerprint = await queries.roster_fingerprint(session=session)
    try:
        report = await _run_import(
            session=session,
            file_name=name,
            data=data,
            city_name=city_name,
            today=today,
            actor=None,
            preview=True,
        )
    except RosterFileError as exc:
        return Reply(texts.UNREADABLE.format(name=esc(name), reason=esc(exc)))
    if not report.ok:
        return await _errors_reply(name, report)
    upload = await queries.add_upload(
        session=session,
        upload=AdminUpload(
            importer_id=viewer.person_id,
            file_name=name,
            data=data,
            fingerprint=fingerprint,
            created_at=now,
        ),
    )
    assert upload.id is not None
    return Reply(_preview_text(name, report), confirm_keyboard(upload.id))


class Decision(StrEnum):
    DONE = "done"
    REFUSED = "refused"


@dataclass(frozen=True)
class Decided:
    decision: Decision
    reply: Reply


async def decide_upload(
    *,
    session: AsyncSession,
    viewer: Viewer,
    upload_id: int,
    go: bool,
    city_name: str,
    today: date,
    now: datetime,
) -> Decided:
    """[确认导入] or [取消]: refusals change nothing; the caller commits a DONE."""
    if not may_import_roster(viewer):
        return Decided(Decision.REFUSED, Reply(texts.NOT_ALLOWED))
    upload = await queries.upload_by_id(session=session, upload_id=upload_id, for_update=True)
    if upload is None or upload.kind != "roster":
        return Decided(Decision.REFUSED, Reply(texts.UNKNOWN))
    if upload.importer_id != viewer.person_id:
        return Decided(Decision.REFUSED, Reply(texts.NOT_IMPORTER))
    if upload.state != "pending":
        return Decided(Decision.REFUSED, Reply(texts.ALREADY))
    if not go:
        _close(session, upload, "cancelled", now)
        return Decided(Decision.DONE, Reply(texts.CANCELLED))
    if await queries.roster_fingerprint(session=session) != upload.fingerprint:
        _close(session, upload, "cancelled", now)
        # Committed by the caller: the stale upload cannot be confirmed later either.
        return Decided(Decision.DONE, Reply(texts.STALE))
    data, name = upload.data, upload.file_name
    _close(session, upload, "confirmed", now)
    await session.flush()
    report = await _run_import(
        session=session,
        file_name=name,
        data=data,
        city_name=city_name,
        today=today,
        actor=Actor.chat(viewer.person_id, viewer.name),
        preview=False,
    )
    if not report.ok:
        # Validation found new problems; import_roster rolled back (the upload stays pending).
        return Decided(
            Decision.REFUSED, Reply(texts.CHANGED_ERRORS.format(count=len(report.errors)))
        )
    # import_roster committed the roster, the audit entry and the upload's new state together.
    text = texts.IMPORTED.format(summary=esc(report.summary()))
    return Decided(
        Decision.DONE, Reply(truncate_html(text, TEXT_LIMIT), partition_keyboard(apply=False))
    )


def _close(session: AsyncSession, upload: AdminUpload, state: str, now: datetime) -> None:
    upload.state = state
    upload.decided_at = now
    upload.data = b""
    session.add(upload)


async def partition_step(
    *, session: AsyncSession, viewer: Viewer, apply: bool, today: date
) -> Decided:
    """[预览网格划分] shows the dry run with [确认划分]; [确认划分] applies and commits."""
    if not may_import_roster(viewer):
        return Decided(Decision.REFUSED, Reply(texts.PARTITION_NOT_ALLOWED))
    report = await partition(
        session=session,
        dry_run=not apply,
        today=today,
        actor=Actor.chat(viewer.person_id, viewer.name) if apply else None,
    )
    template = texts.PARTITION_DONE if apply else texts.PARTITION_PREVIEW
    text = truncate_html(template.format(report=esc(report.render())), TEXT_LIMIT)
    keyboard = None if apply else partition_keyboard(apply=True)
    return Decided(Decision.DONE, Reply(text, keyboard))
