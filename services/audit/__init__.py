"""The audit trail: every administrative change records who, when, what and a summary, in the
transaction that makes the change; admins read it with /audit and `gridbot audit export`."""

import getpass
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from enum import StrEnum
from io import BytesIO

from openpyxl import Workbook
from sqlmodel.ext.asyncio.session import AsyncSession

from core.formatting import esc
from models import audit as queries
from models.tables import AuditEntry
from services.audit import texts
from services.xlsx import write_sheet

# Summaries are stored whole; the chat listing shortens them.
LISTED_SUMMARY_CHARS = 120


class AuditAction(StrEnum):
    ROSTER_IMPORT = "roster.import"
    PARTITION = "grids.partition"
    EVALUATION_CONFIRM = "evaluation.confirm"
    STUDY_IMPORT = "study.import"
    FAQ_APPROVE = "faq.approve"
    FAQ_REJECT = "faq.reject"
    BIND_PHONE = "binding.phone"
    BIND_INVITE = "binding.invite"
    REBIND = "binding.rebind"
    HANDOVER = "person.handover"
    DEPARTMENT_ITEM = "departments.set"
    DEACTIVATE = "person.deactivate"


@dataclass(frozen=True)
class Actor:
    """Who made a change: a person in the chat, or a shell user at the CLI."""

    person_id: int | None
    label: str
    channel: str

    @classmethod
    def chat(cls, person_id: int, name: str) -> "Actor":
        return cls(person_id, name[:100], "chat")

    @classmethod
    def cli(cls) -> "Actor":
        try:
            user = getpass.getuser()
        except (KeyError, OSError):
            user = "?"
        return cls(None, f"命令行（{user}）"[:100], "cli")


async def record(
    *, session: AsyncSession, actor: Actor, action: AuditAction, summary: str, now: datetime
) -> AuditEntry:
    """Stage the entry in the caller's transaction: it commits, or rolls back, with the change."""
    return await queries.add_entry(
        session=session,
        entry=AuditEntry(
            at=now,
            actor_id=actor.person_id,
            actor_label=actor.label,
            channel=actor.channel,
            action=action.value,
            summary=summary,
        ),
    )


def action_label(action: str) -> str:
    return texts.ACTION_LABELS.get(action, action)


def render_recent(entries: Sequence[AuditEntry], tz: tzinfo) -> str:
    """The /audit listing (Telegram HTML), newest first."""
    if not entries:
        return texts.EMPTY
    lines = [texts.HEADING.format(count=len(entries)), ""]
    for entry in entries:
        summary = entry.summary
        if len(summary) > LISTED_SUMMARY_CHARS:
            summary = summary[: LISTED_SUMMARY_CHARS - 1] + "…"
        lines.append(
            texts.LINE.format(
                at=entry.at.astimezone(tz).strftime("%m-%d %H:%M"),
                who=esc(entry.actor_label),
                what=esc(action_label(entry.action)),
                summary=esc(summary),
            )
        )
    return "\n".join(lines)


def workbook(entries: Sequence[AuditEntry], tz: tzinfo) -> bytes:
    """The entries as an Excel workbook, oldest first."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = texts.SHEET_TITLE
    write_sheet(
        sheet,
        texts.SHEET_HEADERS,
        (
            (
                e.at.astimezone(tz).replace(tzinfo=None),
                e.actor_label,
                texts.CHANNELS.get(e.channel, e.channel),
                action_label(e.action),
                e.summary,
            )
            for e in entries
        ),
    )
    out = BytesIO()
    book.save(out)
    return out.getvalue()
